package io.liveboard.http;

import io.liveboard.realtime.PresenceDirectory;
import io.liveboard.realtime.RoomRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Health and metrics (public), and connection counts (for callers allowed every board). {@code /healthz}
 * answers 200 {@code {"status":"ok"}}, or 503 {@code {"status":"failing","failing":[…]}} naming the parts that
 * stopped (a load balancer or an orchestrator then takes the server out and restarts it).
 */
public final class AdminRoutes {

    private final RoomRegistry websockets;
    private final RoomRegistry streams;
    private final PresenceDirectory directory;
    private final Supplier<String> metrics;
    private final Supplier<List<String>> failing;

    /**
     * {@code metrics} renders the Prometheus text exposition served at {@code /metrics}; {@code failing} names
     * the parts that have stopped working (none: healthy); {@code directory} counts the other nodes' connections, if
     * there are other nodes.
     */
    public AdminRoutes(RoomRegistry websockets, RoomRegistry streams, PresenceDirectory directory,
            Supplier<String> metrics, Supplier<List<String>> failing) {
        this.websockets = websockets;
        this.streams = streams;
        this.directory = directory;
        this.metrics = metrics;
        this.failing = failing;
    }

    public void register(Router router) {
        router.publicGet("/healthz", ex -> {
            List<String> broken = failing.get();
            if (broken.isEmpty()) {
                ex.json(200, Map.of("status", "ok"));
            } else {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("status", "failing");
                body.put("failing", broken);
                ex.json(503, body);
            }
        });
        router.get("/admin/connections", ex -> {
            ex.requireAllBoards();
            ex.json(200, connections());
        });
        router.publicGet("/metrics", ex -> ex.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    }

    /**
     * This node's connections; or, with several nodes, every live node's added up, with {@code nodes} saying each
     * one's ({@code websocket}, {@code sse}).
     */
    private Map<String, Object> connections() {
        Map<String, PresenceDirectory.NodeCounts> nodes = directory.nodes();
        if (!nodes.isEmpty()) {
            return cluster(nodes);
        }
        PresenceDirectory.NodeCounts own = PresenceDirectory.NodeCounts.of(websockets, streams);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("websocket", own.websocket());
        body.put("sse", own.sse());
        body.put("boards", own.boards());
        return body;
    }

    private static Map<String, Object> cluster(Map<String, PresenceDirectory.NodeCounts> nodes) {
        int websocket = 0;
        int sse = 0;
        Map<String, Map<String, Integer>> boards = new TreeMap<>();
        Map<String, Object> each = new TreeMap<>();
        for (Map.Entry<String, PresenceDirectory.NodeCounts> entry : nodes.entrySet()) {
            PresenceDirectory.NodeCounts node = entry.getValue();
            websocket += node.websocket();
            sse += node.sse();
            node.boards().forEach((id, counts) -> counts.forEach((transport, n) ->
                    PresenceDirectory.NodeCounts.board(boards, id).merge(transport, n, Integer::sum)));
            Map<String, Integer> own = new LinkedHashMap<>();
            own.put("websocket", node.websocket());
            own.put("sse", node.sse());
            each.put(entry.getKey(), own);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("websocket", websocket);
        body.put("sse", sse);
        body.put("boards", boards);
        body.put("nodes", each);
        return body;
    }
}
