package io.liveboard.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's settings: {@code --name value} flags after the scenario name.
 *
 * @param url         the server ({@code --url}, default http://127.0.0.1:3000)
 * @param clients     WebSocket clients (polls: waiting long polls) ({@code --clients})
 * @param boards      boards the clients are spread over ({@code --boards}; fanout: 1)
 * @param events      tasks to POST ({@code --events})
 * @param concurrency closed loop: events in flight, not yet delivered to every client (writes: requests in
 *                    flight; joins: joins in flight, default 100) ({@code --concurrency})
 * @param rate        open loop instead: deliveries per second to aim at ({@code --rate}; 0 = closed loop)
 * @param addresses   local source addresses 127.0.0.1… to spread connections over ({@code --addresses})
 * @param runs        how many measured runs, one after the other on the same connections (joins: each on a
 *                    fresh board with fresh connections); the server's JIT needs a run or two to warm up
 *                    ({@code --runs}, default 1)
 * @param serverPid   the server's process id, on this machine: {@code connections} then has it collect garbage
 *                    (with {@code jcmd}) before each memory reading, and {@code flood} reports its open files
 *                    ({@code --server-pid}; 0 = do not)
 * @param flood       the {@code flood} scenario's own settings
 * @param floor       the {@code floor} scenario's own settings ({@code --readers}, {@code --bytes})
 * @param cluster     the {@code cluster} scenario's own settings ({@code --urls}, {@code --redis-url})
 */
public record BenchOptions(URI url, int clients, int boards, int events, int concurrency, int rate, int addresses,
        int runs, long serverPid, FloodOptions flood, Floor.Settings floor, Cluster.Settings cluster) {

    public static final String USAGE = """
            Usage: java -cp target/liveboard.jar io.liveboard.bench.Bench SCENARIO [options]
              fanout       --clients 1000 --events 300 [--concurrency 4 | --rate 50000]
              rooms        --clients 1000 --boards 50 --events 500 [--concurrency 4]
              connections  --clients 10000 --boards 200 --addresses 2 [--server-pid PID]
              writes       --events 5000 --concurrency 16
              polls        --clients 2000 --events 20 [--addresses 1]
              joins        --clients 2000 --concurrency 100 [--addresses 10]
              flood        --clients 19000 --seconds 30 [--attack-address 127.0.0.1] [--probe-address 127.0.0.2]
                           [--reconnect true] [--in-flight 1000] [--server-pid PID]
              floor        --clients 1000 --events 500 [--rate 50000 | --rate 0] [--readers 1] [--bytes 160]
                           (no server: bare loopback writes within this process)
              cluster      --urls http://127.0.0.1:3001,http://127.0.0.1:3002,http://127.0.0.1:3003
                           --clients 1000 --rate 10000 --events 300 [--redis-url redis://127.0.0.1:6379]
                           (clients spread over the nodes, tasks POSTed to the first)
            Common: --url http://127.0.0.1:3000, --runs N (measure N times; later runs have a warm server)
            Prints a summary and one JSON line per run.
            """;

    /** The settings with {@code floor}'s own at their defaults. */
    public BenchOptions(URI url, int clients, int boards, int events, int concurrency, int rate, int addresses,
            int runs, long serverPid, FloodOptions flood) {
        this(url, clients, boards, events, concurrency, rate, addresses, runs, serverPid, flood,
                Floor.Settings.DEFAULTS);
    }

    /** The settings with {@code cluster}'s own at their defaults: {@code url} alone, Redis not counted. */
    public BenchOptions(URI url, int clients, int boards, int events, int concurrency, int rate, int addresses,
            int runs, long serverPid, FloodOptions flood, Floor.Settings floor) {
        this(url, clients, boards, events, concurrency, rate, addresses, runs, serverPid, flood, floor,
                new Cluster.Settings(List.of(url), null));
    }

    public static BenchOptions parse(String scenario, List<String> args) {
        Map<String, String> values = new HashMap<>();
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (!flag.startsWith("--") || rest.isEmpty()) {
                throw new IllegalArgumentException("Expected --name value, got " + flag);
            }
            values.put(flag.substring(2), rest.remove(0));
        }
        boolean connections = scenario.equals("connections") || scenario.equals("flood");
        URI url = URI.create(values.getOrDefault("url", "http://127.0.0.1:3000"));
        BenchOptions options = new BenchOptions(
                url,
                number(values, "clients", connections ? 10_000 : scenario.equals("polls") ? 2_000 : 1_000),
                number(values, "boards", scenario.equals("rooms") ? 50 : 1),
                number(values, "events", scenario.equals("polls") ? 20 : scenario.equals("floor") ? 500 : 300),
                number(values, "concurrency", scenario.equals("writes") ? 16 : scenario.equals("joins") ? 100 : 4),
                number(values, "rate", scenario.equals("floor") ? 50_000 : 0),
                number(values, "addresses", 1),
                number(values, "runs", 1),
                number(values, "server-pid", 0),
                new FloodOptions(number(values, "seconds", FloodOptions.DEFAULTS.seconds()),
                        values.getOrDefault("attack-address", FloodOptions.DEFAULTS.attackAddress()),
                        values.getOrDefault("probe-address", FloodOptions.DEFAULTS.probeAddress()),
                        bool(values, "reconnect", FloodOptions.DEFAULTS.reconnect()),
                        number(values, "in-flight", FloodOptions.DEFAULTS.inFlight())),
                new Floor.Settings(number(values, "readers", Floor.Settings.DEFAULTS.readers()),
                        number(values, "bytes", Floor.Settings.DEFAULTS.bytes())),
                Cluster.Settings.parse(values.get("urls"), values.get("redis-url"), url));
        values.keySet().removeAll(List.of("url", "clients", "boards", "events", "concurrency", "rate", "addresses",
                "runs", "server-pid", "seconds", "attack-address", "probe-address", "reconnect", "in-flight",
                "readers", "bytes", "urls", "redis-url"));
        if (!values.isEmpty()) {
            throw new IllegalArgumentException("Unknown option(s): " + values.keySet());
        }
        return options;
    }

    private static int number(Map<String, String> values, String name, int fallback) {
        String value = values.get(name);
        return value == null ? fallback : Integer.parseInt(value);
    }

    private static boolean bool(Map<String, String> values, String name, boolean fallback) {
        String value = values.getOrDefault(name, Boolean.toString(fallback));
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException("--" + name + " must be true or false, got " + value);
        }
        return Boolean.parseBoolean(value);
    }
}
