package io.liveboard.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code flood} scenario, a measure of "one address cannot deny service to another": an {@link Attacker}
 * holds {@code --clients} idle connections from one address for {@code --seconds} while a {@link Bystander}
 * on another address checks every 200 ms that it still gets {@code /healthz} and a WebSocket pong, each
 * within 5 s. One process holds only as many connections as its open-file limit allows: past that, it says
 * so, and more attacker processes are needed.
 */
final class Flood {

    private static final Duration EVERY = Duration.ofMillis(200);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final BenchOptions options;

    Flood(BenchOptions options) {
        this.options = options;
    }

    /** Runs the attack and the checks, and returns the figures (the JSON line's content). */
    Map<String, Object> run() throws Exception {
        FloodOptions flood = options.flood();
        URI url = options.url();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scenario", "flood");
        result.put("clients", options.clients());
        result.put("seconds", flood.seconds());
        result.put("attackAddress", flood.attackAddress());
        result.put("probeAddress", flood.probeAddress());
        result.put("reconnect", flood.reconnect());
        try (Bystander bystander = new Bystander(url, InetAddress.getByName(flood.probeAddress()), EVERY, TIMEOUT);
                Attacker attacker = new Attacker(new InetSocketAddress(url.getHost(), url.getPort()),
                        InetAddress.getByName(flood.attackAddress()), options.clients(), flood.inFlight(),
                        flood.reconnect())) {
            long processes = (options.clients() + attacker.capacity() - 1) / Math.max(1, attacker.capacity());
            String shortOfFiles = options.clients() <= attacker.capacity() ? null : String.format(Locale.ROOT,
                    "this process can hold about %d connections (open-file limit %d): %d need %d attacker"
                            + " processes at once (--clients %d each)", attacker.capacity(), OpenFiles.ownLimit(),
                    options.clients(), processes, (options.clients() + processes - 1) / processes);
            if (shortOfFiles != null) {
                System.err.println("flood: " + shortOfFiles);
            }
            bystander.warmUp();
            bystander.start();
            attacker.run(System.nanoTime() + TimeUnit.SECONDS.toNanos(flood.seconds()));
            Attacker.Tally attack = attacker.tally();
            long serverOpenFiles = options.serverPid() > 0 ? OpenFiles.of(options.serverPid()) : -1;
            bystander.stop();

            result.put("attackerOpenFileLimit", OpenFiles.ownLimit());
            result.put("attackerCanHold", attacker.capacity());
            result.put("attempted", attack.attempted());
            result.put("connected", attack.connected());
            result.put("heldAtEnd", attack.held());
            result.put("secondsToAllHeld", attack.secondsToAllHeld());
            result.put("closedByServer", attack.closedByServer());
            result.put("connectFailures", attack.connectFailures());
            result.put("connectTimeouts", attack.connectTimeouts());
            result.put("firstConnectError", attack.firstConnectError());
            result.put("answeredByServer", attack.answered());
            result.put("attackerLimitedByOwnFiles", attack.limitedByOwnFiles());
            putCheck(result, "healthz", bystander.healthz());
            putCheck(result, "ws", bystander.webSocket());
            if (options.serverPid() > 0) {
                result.put("serverOpenFiles", serverOpenFiles);
            }
            if (shortOfFiles != null) {
                result.put("note", shortOfFiles);
            }
            return result;
        }
    }

    private static void putCheck(Map<String, Object> result, String name, Bystander.Check check) {
        result.put(name + "Checks", check.attempts());
        Bench.putLatency(result, name, check.latency());
        result.put(name + "Failures", check.failures());
        result.put(name + "Timeouts", check.timeouts());
    }
}
