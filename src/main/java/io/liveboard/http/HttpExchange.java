package io.liveboard.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.auth.Principal;
import io.liveboard.board.BoardIds;
import io.liveboard.board.CommandResult;
import io.liveboard.board.ForbiddenException;
import io.liveboard.board.IdempotencyKey;
import io.liveboard.board.Outcome;
import io.liveboard.board.ValidationException;
import io.liveboard.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** One request being answered: its path parameters, query, JSON body, and the ways to answer it. */
public final class HttpExchange {

    /** The request header naming a change so that it is applied once (see {@link IdempotencyKey}). */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** The answer header of a change's event number. */
    static final String SEQ = "Liveboard-Seq";
    /** The answer header ({@code true}) of a retry answered with the first result. */
    static final String REPLAYED = "Idempotent-Replayed";

    /** The times a client may ask about: years 0 to 9999 (beyond, a time does not fit the store's milliseconds). */
    private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

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
            Instant instant = Instant.parse(value);
            if (!instant.isBefore(EARLIEST) && !instant.isAfter(LATEST)) {
                return instant;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new ValidationException(name + " must be an ISO-8601 time such as 2026-01-31T12:00:00Z");
    }

    /** A query parameter holding a whole number from 0 (an event number), or null when absent. */
    public Long querySeq(String name) {
        return queryWhole(name, " (an event number)");
    }

    /** A query parameter holding a whole number from 0 (a count, an offset), or null when absent. */
    public Long queryCount(String name) {
        return queryWhole(name, "");
    }

    private Long queryWhole(String name, String meaning) {
        String value = query(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            long number = Long.parseLong(value);
            if (number >= 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ValidationException(name + " must be a non-negative integer" + meaning);
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    /**
     * The change's {@code Idempotency-Key} in the caller's scope, or null when the request has none; 400 unless it
     * is one header of 1-200 printable ASCII characters.
     */
    public IdempotencyKey idempotencyKey() {
        List<String> values = request.getHeaders().getValuesList(IDEMPOTENCY_KEY);
        if (values.isEmpty()) {
            return null;
        }
        return IdempotencyKey.of(principal.idempotencyScope(), values.size() == 1 ? values.get(0) : null,
                IDEMPOTENCY_KEY);
    }

    /**
     * The body as a JSON object: 413 past the size limit, 400 when there is none, 415 unless it is sent as
     * {@code application/json} (in UTF-8), 400 when it is not valid UTF-8 or not a JSON object. (The server's
     * {@code EagerContentHandler} has read it already, without holding a thread.)
     */
    public JsonNode body() {
        if (request.getLength() > maxBodyBytes) {
            throw new HttpException(413, tooLarge(maxBodyBytes));
        }
        byte[] bytes;
        try (InputStream in = Content.Source.asInputStream(request)) {
            bytes = in.readNBytes(maxBodyBytes + 1);
        } catch (IOException e) {
            throw new HttpException(400, "Request body could not be read");
        }
        if (bytes.length > maxBodyBytes) {
            throw new HttpException(413, tooLarge(maxBodyBytes));
        }
        if (bytes.length == 0) {
            throw new HttpException(400, "Request body must be a JSON object");
        }
        requireJson(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
        JsonNode node;
        try {
            node = Json.parse(utf8(bytes));
        } catch (JsonProcessingException e) {
            throw new HttpException(400, "Invalid JSON");
        }
        if (!node.isObject()) {
            throw new HttpException(400, "Request body must be a JSON object");
        }
        Json.checkText(node);
        return node;
    }

    /**
     * A body is JSON only if it says so: a browser page of another site can send {@code text/plain} or a form
     * without asking first (no CORS preflight), never {@code application/json}.
     */
    private static void requireJson(String contentType) {
        if (contentType != null) {
            String mime = contentType.split(";", 2)[0].strip();
            String charset = MimeTypes.getCharsetFromContentType(contentType);
            if (mime.equalsIgnoreCase("application/json")
                    && (charset == null || charset.equalsIgnoreCase("utf-8"))) {
                return;
            }
        }
        throw new HttpException(415, "Content-Type must be application/json");
    }

    /** The bytes as UTF-8 text, refused rather than patched with replacement characters where they are not. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new HttpException(400, "Request body is not valid UTF-8");
        }
    }

    /** What a client is told of a body over the limit. */
    static String tooLarge(int maxBodyBytes) {
        return "Request body is larger than " + maxBodyBytes + " bytes";
    }

    public void json(int status, Object body) {
        send(status, Json.write(body));
    }

    /** Answers JSON encoded already (UTF-8), such as one answer shared by many requests; the bytes are not changed. */
    public void encodedJson(int status, byte[] utf8) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(utf8), callback);
    }

    /**
     * Answers a change with its result: the status of its kind (201, 200, 204) and the value as JSON, with
     * {@code Liveboard-Seq} when it caused an event; a replayed result as it was first answered, with
     * {@code Idempotent-Replayed: true}.
     */
    public void answer(Outcome<?> outcome) {
        CommandResult result = outcome.result();
        if (result.seq() != null) {
            response.getHeaders().put(SEQ, String.valueOf(result.seq()));
        }
        if (outcome.replayed()) {
            response.getHeaders().put(REPLAYED, "true");
        }
        if (result.status() == 204) {
            noContent();
        } else {
            json(result.status(), result.value());
        }
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
