package io.liveboard.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.auth.Principal;
import io.liveboard.board.BoardIds;
import io.liveboard.board.ForbiddenException;
import io.liveboard.board.ValidationException;
import io.liveboard.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** One request being answered: its path parameters, query, JSON body, and the ways to answer it. */
public final class HttpExchange {

    /** Bodies up to this size are read to the end even when refused, to keep the connection usable. */
    private static final long DRAIN_LIMIT = 1024 * 1024;

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Map<String, String> pathParams;
    private final int maxBodyBytes;
    private final Principal principal;
    private Fields query;

    HttpExchange(Request request, Response response, Callback callback, Map<String, String> pathParams,
            int maxBodyBytes, Principal principal) {
        this.request = request;
        this.principal = principal;
        this.response = response;
        this.callback = callback;
        this.pathParams = pathParams;
        this.maxBodyBytes = maxBodyBytes;
    }

    public Request request() {
        return request;
    }

    public Response response() {
        return response;
    }

    /** Completes the exchange; an endpoint that streams owns it. */
    public Callback callback() {
        return callback;
    }

    public String path(String name) {
        return pathParams.get(name);
    }

    /** The caller (a guest allowed everywhere when auth is off); null on public routes. */
    public Principal principal() {
        return principal;
    }

    /** The board id path parameter {@code name}, checked for shape (400) and for the caller's rights (403). */
    public String board(String name) {
        return allow(BoardIds.check(path(name)));
    }

    /** Returns the board id if the caller may use it; {@link ForbiddenException} otherwise. */
    public String allow(String boardId) {
        principal.check(boardId);
        return boardId;
    }

    /** Refuses (403) a caller whose rights do not cover every board. */
    public void requireAllBoards() {
        if (!principal.allBoards()) {
            throw new ForbiddenException("*");
        }
    }

    /** A query parameter, or null. */
    public String query(String name) {
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        return query.getValue(name);
    }

    /** A query parameter holding an ISO-8601 instant, or null when absent. */
    public Instant queryInstant(String name) {
        String value = query(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ValidationException(name + " must be an ISO-8601 time such as 2026-01-31T12:00:00Z");
        }
    }

    /** A query parameter holding a whole number from 0 (an event number), or null when absent. */
    public Long querySeq(String name) {
        String value = query(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            long seq = Long.parseLong(value);
            if (seq >= 0) {
                return seq;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ValidationException(name + " must be a non-negative integer (an event number)");
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    /** The body as a JSON object: 413 past the size limit, 400 when it is not a JSON object. */
    public JsonNode body() {
        if (request.getLength() > DRAIN_LIMIT) {
            // not worth reading: Jetty closes the connection after the answer
            throw tooLarge();
        }
        byte[] bytes;
        try (InputStream in = Content.Source.asInputStream(request)) {
            bytes = in.readNBytes(maxBodyBytes + 1);
            if (bytes.length > maxBodyBytes) {
                // read the rest before answering, so that the client is not cut off while still sending
                drain(in);
                throw tooLarge();
            }
        } catch (IOException e) {
            throw new HttpException(400, "Request body could not be read");
        }
        JsonNode node;
        try {
            node = bytes.length == 0 ? null : Json.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new HttpException(400, "Invalid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new HttpException(400, "Request body must be a JSON object");
        }
        return node;
    }

    private static void drain(InputStream in) throws IOException {
        long left = DRAIN_LIMIT;
        byte[] sink = new byte[8192];
        int n;
        while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
            left -= n;
        }
    }

    private HttpException tooLarge() {
        return new HttpException(413, "Request body is larger than " + maxBodyBytes + " bytes");
    }

    public void json(int status, Object body) {
        send(status, Json.write(body));
    }

    public void noContent() {
        response.setStatus(204);
        callback.succeeded();
    }

    public void error(int status, String message) {
        send(status, Json.write(Map.of("error", message)));
    }

    public void text(int status, String contentType, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        Content.Sink.write(response, true, body, callback);
    }

    private void send(int status, String json) {
        text(status, "application/json", json);
    }
}
