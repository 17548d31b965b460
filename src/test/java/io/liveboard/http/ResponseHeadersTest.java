package io.liveboard.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.support.Http;
import io.liveboard.support.HttpWire;
import io.liveboard.support.ServerTest;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every answer says {@code X-Content-Type-Options: nosniff}, so that no browser takes JSON (or a board title in
 * it) for HTML: routes, the router's errors, and the errors Jetty answers itself.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResponseHeadersTest extends ServerTest {

    @Test
    void routesAndTheirErrorsSayNosniff() {
        for (String path : new String[] {"/healthz", "/boards/board-1", "/tasks/task-404", "/nowhere"}) {
            Http.Reply reply = http.get(path);
            assertEquals("nosniff", reply.header("X-Content-Type-Options"), path + " answered " + reply.status());
        }
        Http.Reply refused = http.post("/tasks", "{\"title\":");
        assertEquals(400, refused.status());
        assertEquals("nosniff", refused.header("X-Content-Type-Options"));
    }

    @Test
    void anErrorJettyAnswersItselfSaysNosniff() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String status = HttpWire.line(in);
            assertTrue(status.startsWith("HTTP/1.1 400"), status);
            Map<String, String> headers = HttpWire.headers(in);
            assertEquals("nosniff", headers.get("x-content-type-options"), headers.toString());
        }
    }
}
