package io.liveboard.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A real Server-Sent Events reader over the JDK HttpClient: parses the stream into events (comments
 * such as {@code : heartbeat} become events named {@code :comment}) on its own thread.
 */
public final class SseClient implements AutoCloseable {

    /** One dispatched event: {@code event} ("message" when unnamed), {@code id} (or null), {@code data}. */
    public record Event(String event, String id, String data, String retry) {
        /** The id without its epoch: {@code 12} of {@code 3f9a07c1/12}; fails if the id has no epoch. */
        public String position() {
            if (id == null || !id.matches("[0-9a-f]{8}/.+")) {
                throw new AssertionError("Event id without an epoch: " + id);
            }
            return id.substring(id.indexOf('/') + 1);
        }

        public JsonNode json() {
            try {
                return Json.parse(data);
            } catch (Exception e) {
                throw new AssertionError("Not JSON: " + data, e);
            }
        }
    }

    private final BlockingQueue<Event> inbox = new LinkedBlockingQueue<>();
    private final List<Event> seen = new ArrayList<>();
    private final HttpResponse<InputStream> response;
    private final Thread reader;
    private volatile boolean ended;

    private SseClient(HttpClient client, URI uri, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        headers.forEach(request::header);
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        reader = new Thread(this::read, "sse-test-reader");
        reader.setDaemon(true);
        reader.start();
    }

    public static SseClient open(TestServer server, String path) {
        return open(server, path, Map.of());
    }

    public static SseClient open(TestServer server, String path, Map<String, String> headers) {
        return open(URI.create(server.http(path)), headers);
    }

    /** A stream of a server that is no {@link TestServer} (a node in another process). */
    public static SseClient open(URI uri, Map<String, String> headers) {
        try {
            return new SseClient(HttpClient.newHttpClient(), uri, headers);
        } catch (Exception e) {
            throw new IllegalStateException("SSE connect to " + uri + " failed", e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    private void read() {
        try {
            parse(response.body(), inbox::add);
        } catch (Exception e) {
            // the stream ended or was cut
        } finally {
            ended = true;
        }
    }

    /**
     * Reads an event stream to its end, handing on each dispatched event (a {@code retry:} alone counts) and each
     * comment (as event {@code :comment}); shared with tests that read a stream their own way.
     */
    public static void parse(InputStream in, Consumer<Event> sink) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String event = null;
            String id = null;
            String retry = null;
            StringBuilder data = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null || retry != null) {
                        sink.accept(new Event(event == null ? "message" : event, id,
                                data == null ? null : data.toString(), retry));
                    }
                    event = null;
                    retry = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    sink.accept(new Event(":comment", null, line.substring(1).strip(), null));
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                    switch (field) {
                        case "event" -> event = value;
                        case "id" -> id = value;
                        case "retry" -> retry = value;
                        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                        default -> { }
                    }
                }
            }
        }
    }

    public Event await(Predicate<Event> condition) {
        return await(condition, Duration.ofSeconds(10));
    }

    public Event await(Predicate<Event> condition, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Event event = left <= 0 ? null : inbox.poll(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS);
                if (event == null) {
                    if (System.nanoTime() >= deadline) {
                        throw new AssertionError("No matching SSE event within " + wait + "; got " + seen);
                    }
                    continue;
                }
                seen.add(event);
                if (condition.test(event)) {
                    return event;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The next event, whatever it is (a comment too), or null if none came within {@code wait}: for a reader of its
     * own that records everything (one thread only, as for {@link #await}).
     */
    public Event poll(Duration wait) {
        try {
            Event event = inbox.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            if (event != null) {
                seen.add(event);
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Waits for the next event with this name. */
    public Event awaitEvent(String name) {
        return await(e -> name.equals(e.event()));
    }

    /** True once the server ended the stream. */
    public boolean ended() {
        return ended;
    }

    /** Waits until the server ends the stream. */
    public void awaitEnd(Duration wait) {
        try {
            reader.join(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!ended) {
            throw new AssertionError("Stream still open after " + wait);
        }
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (Exception e) {
            // closing a test client
        }
        reader.interrupt();
    }
}
