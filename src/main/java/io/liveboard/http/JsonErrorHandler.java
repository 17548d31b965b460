package io.liveboard.http;

import io.liveboard.json.Json;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself (a malformed request, a header too large, a body refused while it arrives) as
 * {@code {"error": …}} too, a body too large with the same words as the router's.
 */
public final class JsonErrorHandler extends ErrorHandler {

    private final int maxBodyBytes;

    public JsonErrorHandler(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put("X-Content-Type-Options", "nosniff"); // also where no request was made
        String text = code == 413 ? HttpExchange.tooLarge(maxBodyBytes)
                : message == null || message.isBlank() ? "HTTP " + code : message;
        Content.Sink.write(response, true, Json.write(Map.of("error", text)), callback);
    }
}
