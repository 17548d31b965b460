package io.liveboard.net;

import static io.liveboard.net.RawHttp.HOME;
import static io.liveboard.net.RawHttp.OTHER;
import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.liveboard.config.Config;
import io.liveboard.support.Await;
import io.liveboard.support.HttpWire;
import io.liveboard.support.RawWebSocket;
import io.liveboard.support.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection limits at the TCP level (issue 9, item 1), seen from raw sockets: {@code --max-connections-per-ip 5}
 * closes a 6th connection of 127.0.0.1 as soon as it is accepted, without an answer, counts plain keep-alive
 * connections like any other, frees a place when a connection closes, leaves 127.0.0.2 alone and counts its
 * refusals in {@code liveboard_connections_refused_total{reason="address"}}; {@code --max-connections 10} makes
 * the server stop accepting (the 11th waits in the backlog) and resume when one closes.
 *
 * <p>Connections from 127.0.0.1 are all made here by hand: the JDK HttpClient's pooled connections would count
 * too. Every check from elsewhere comes from 127.0.0.2.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionLimitTest {

    private static final int PER_ADDRESS = 5;
    private static final int TOTAL = 10;
    private static final Duration REFUSED_WITHIN = Duration.ofSeconds(2);
    private static final Duration NOT_ANSWERED_FOR = Duration.ofSeconds(1);

    private final List<Socket> sockets = new ArrayList<>();
    private TestServer server;

    @AfterEach
    void closeEverything() {
        sockets.forEach(RawHttp::close);
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aConnectionBeyondTheLimitIsClosedAtOnceWithoutAnAnswer() {
        start(b -> b.maxConnectionsPerIp(PER_ADDRESS));
        List<Socket> held = holdKeepAlive(HOME, PER_ADDRESS);

        for (int attempt = 1; attempt <= 3; attempt++) {
            assertRefused(HOME, "connection " + (PER_ADDRESS + attempt) + " from " + HOME);
        }
        // the connections holding the places were not touched: each still answers a second request
        for (Socket socket : held) {
            assertHealthy(RawHttp.get(server, socket, "/healthz"));
        }
    }

    @Test
    void anotherAddressIsNotAffected() {
        start(b -> b.maxConnectionsPerIp(PER_ADDRESS));
        holdKeepAlive(HOME, PER_ADDRESS);
        assertRefused(HOME, "a 6th connection from " + HOME);

        assertHealthy(RawHttp.once(server, OTHER, "GET", "/healthz", null));
        try (RawWebSocket ws = RawWebSocket.connect(server, OTHER)) {
            assertEquals("connected", ws.next().path("type").asText());
            assertEquals(object("type", "pong"), ws.ping());
        }
        // 127.0.0.2 has places of its own, as many as 127.0.0.1 (the two above give theirs back when the server
        // has noticed their close: until then a new one may be refused, and a refused one takes no place)
        for (int i = 0; i < PER_ADDRESS; i++) {
            awaitAnsweredConnection(OTHER);
        }
        assertRefused(OTHER, "a 6th connection from " + OTHER);
        assertRefused(HOME, "a 6th connection from " + HOME + " after " + OTHER + " filled its places");
    }

    @Test
    void closingConnectionsFreesTheirPlaces() {
        start(b -> b.maxConnectionsPerIp(PER_ADDRESS));
        List<Socket> held = holdKeepAlive(HOME, PER_ADDRESS);
        assertRefused(HOME, "a 6th connection from " + HOME);

        RawHttp.close(held.get(0));
        RawHttp.close(held.get(1));
        // the server notices the closes on its own time: try new connections until one is answered; a refused
        // attempt takes no place
        Socket first = awaitAnsweredConnection(HOME);
        Socket second = awaitAnsweredConnection(HOME);
        assertHealthy(RawHttp.get(server, first, "/healthz"));
        assertHealthy(RawHttp.get(server, second, "/healthz"));

        // the two freed places are taken again: the limit holds
        assertRefused(HOME, "a 6th connection from " + HOME + " after two places were retaken");
        for (Socket socket : held.subList(2, PER_ADDRESS)) {
            assertHealthy(RawHttp.get(server, socket, "/healthz"));
        }
    }

    @Test
    void refusedConnectionsAreCountedInTheMetrics() {
        start(b -> b.maxConnectionsPerIp(PER_ADDRESS));
        holdKeepAlive(HOME, PER_ADDRESS);
        for (int i = 0; i < 3; i++) {
            assertRefused(HOME, "connection " + (PER_ADDRESS + 1 + i) + " from " + HOME);
        }
        Await.value("liveboard_connections_refused_total{reason=\"address\"} on /metrics (from " + OTHER + ")",
                OptionalDouble.of(3.0), () -> refusedByAddress(RawHttp.once(server, OTHER, "GET", "/metrics", null)));
    }

    @Test
    void atTheTotalLimitTheServerStopsAcceptingAndResumesWhenOneCloses() {
        start(b -> b.maxConnectionsPerIp(0).maxConnections(TOTAL));
        List<Socket> held = holdKeepAlive(HOME, TOTAL);

        Socket waiting = connect(HOME);
        RawHttp.write(waiting, RawHttp.request(server, "GET", "/healthz", null));
        assertNotAnswered(waiting, "connection " + (TOTAL + 1) + " while the server holds " + TOTAL);

        RawHttp.close(held.get(0));
        assertHealthy(RawHttp.read(waiting));

        // the server holds TOTAL again (9 held and the one it just accepted): the next one waits in turn
        Socket next = connect(OTHER);
        RawHttp.write(next, RawHttp.request(server, "GET", "/healthz", null));
        assertNotAnswered(next, "connection " + (TOTAL + 2) + " while the server holds " + TOTAL + " again");
        RawHttp.close(waiting);
        assertHealthy(RawHttp.read(next));
    }

    // ---- helpers

    private void start(UnaryOperator<Config.Builder> limits) {
        try {
            server = TestServer.start(limits.apply(TestServer.fastConfig(
                    Files.createTempDirectory("liveboard-net").resolve("liveboard.db")).toBuilder()).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Socket connect(String from) {
        Socket socket = RawHttp.connect(server, from);
        sockets.add(socket);
        return socket;
    }

    /** {@code count} connections from {@code from}, each of which made one complete request and stays open. */
    private List<Socket> holdKeepAlive(String from, int count) {
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket socket = connect(from);
            assertHealthy(RawHttp.get(server, socket, "/healthz"));
            held.add(socket);
        }
        return held;
    }

    /**
     * A new connection from {@code from} that sends a complete request is closed by the server (EOF or reset)
     * within {@link #REFUSED_WITHIN}, and not a single byte of an answer comes back.
     */
    private RawHttp.Ending assertRefused(String from, String what) {
        Socket socket = connect(from);
        long start = System.nanoTime();
        try {
            RawHttp.write(socket, RawHttp.request(server, "GET", "/healthz", null));
        } catch (UncheckedIOException e) {
            // the server closed it before the request went out: refused as well
            return new RawHttp.Ending("write failed (" + e.getCause() + ")", RawHttp.millisSince(start), "");
        }
        try {
            return RawHttp.assertClosedWithoutAnswer(socket, start, REFUSED_WITHIN, what);
        } finally {
            RawHttp.close(socket);
        }
    }

    /** Tries new connections from {@code from} until one is answered; returns it, open. */
    private Socket awaitAnsweredConnection(String from) {
        Socket[] answered = new Socket[1];
        Await.until("a new connection from " + from + " is answered", () -> {
            Socket socket = connect(from);
            try {
                RawHttp.write(socket, RawHttp.request(server, "GET", "/healthz", null));
                HttpWire.Answer response = RawHttp.read(socket);
                assertHealthy(response);
                answered[0] = socket;
                return true;
            } catch (UncheckedIOException | AssertionError refused) {
                RawHttp.close(socket);
                return false;
            }
        });
        return answered[0];
    }

    /** Nothing comes back on the connection, and it is not closed, for {@link #NOT_ANSWERED_FOR}. */
    private static void assertNotAnswered(Socket socket, String what) {
        RawHttp.assertQuietAndOpen(socket, NOT_ANSWERED_FOR, what + " (expected to wait in the backlog)");
    }

    private static void assertHealthy(HttpWire.Answer response) {
        assertEquals(200, response.status(), response.body());
        assertEquals(object("status", "ok"), response.json());
    }

    /** The value of {@code liveboard_connections_refused_total{reason="address"}}, empty when there is none. */
    private static OptionalDouble refusedByAddress(HttpWire.Answer metrics) {
        assertEquals(200, metrics.status());
        return metrics.body().lines()
                .filter(line -> line.startsWith("liveboard_connections_refused_total{"))
                .filter(line -> line.substring(0, line.indexOf('}')).contains("reason=\"address\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst();
    }
}
