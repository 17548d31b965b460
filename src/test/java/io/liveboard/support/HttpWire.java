package io.liveboard.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 answer read by hand off a plain socket's stream, piece by piece: a line, the headers, the body. The
 * tests that look at what the server does with the bytes themselves read with it, where a client library would
 * hide them.
 */
public final class HttpWire {

    /** A whole answer: status, headers (lower-case names), body; {@link #json} parses the body. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public JsonNode json() {
            try {
                return Json.parse(body);
            } catch (Exception e) {
                throw new AssertionError("Not JSON (status " + status + "): " + body, e);
            }
        }
    }

    private HttpWire() {
    }

    /** One line without its CR LF, as ISO-8859-1 (status and header lines); null at the end of the stream. */
    public static String line(InputStream in) throws IOException {
        return line(in, StandardCharsets.ISO_8859_1);
    }

    /**
     * One line without its CR LF, decoded as {@code charset}; null when the stream ends before any byte of it (a
     * last line without its LF is returned as it is).
     */
    public static String line(InputStream in, Charset charset) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        return line.toString(charset);
    }

    /**
     * The header lines up to the blank line that ends them, by lower-case name (the values of a repeated header
     * joined with {@code ", "}); an {@link EOFException} if the stream ends before the blank line.
     */
    public static Map<String, String> headers(InputStream in) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); ; header = line(in)) {
            if (header == null) {
                throw new EOFException("connection closed before the end of the headers");
            }
            if (header.isEmpty()) {
                return headers;
            }
            int colon = header.indexOf(':');
            headers.merge(header.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    header.substring(colon + 1).strip(), (a, b) -> a + ", " + b);
        }
    }

    /** Whether the headers give the body's end: a {@code Content-Length}, or {@code Transfer-Encoding: chunked}. */
    public static boolean framed(Map<String, String> headers) {
        return headers.containsKey("content-length") || chunked(headers);
    }

    /**
     * The body (UTF-8) as the headers frame it: {@code Content-Length} bytes, or the chunks up to and including
     * the last one's blank line; empty when they frame none (as on a connection kept alive for the next answer).
     */
    public static String body(InputStream in, Map<String, String> headers) throws IOException {
        String length = headers.get("content-length");
        if (length != null) {
            return new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
        }
        if (chunked(headers)) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int size = chunkSize(line(in)); size > 0; size = chunkSize(line(in))) {
                body.write(in.readNBytes(size));
                line(in);
            }
            line(in);
            return body.toString(StandardCharsets.UTF_8);
        }
        return "";
    }

    private static boolean chunked(Map<String, String> headers) {
        return "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
    }

    private static int chunkSize(String line) {
        if (line == null) {
            throw new AssertionError("Connection closed in the middle of a chunked body");
        }
        return Integer.parseInt(line.split(";")[0].strip(), 16);
    }
}
