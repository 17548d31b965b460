package io.liveboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.config.Config;
import io.liveboard.config.Database;
import io.liveboard.config.RedisUrl;
import io.liveboard.support.Http;
import io.liveboard.support.TcpProxy;
import io.liveboard.support.TestPostgres;
import io.liveboard.support.TestRedis;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis that stops answering without closing its connections (a hung server, a network that drops what it
 * carries), behind a {@link TcpProxy} that goes silent: the nodes keep delivering every event in order (read from
 * PostgreSQL) and keep taking joins and leaves, answering presence from what each knows, instead of waiting on
 * Redis for every change.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedisSilenceTest {

    private static final int VISITORS = 5;

    private static boolean isTaskEvent(JsonNode message) {
        return message.path("type").asText().startsWith("task_");
    }

    private static List<Long> seqs(WsClient client) {
        return client.drain().stream().filter(RedisSilenceTest::isTaskEvent).map(m -> m.path("seq").asLong())
                .toList();
    }

    @Test
    void whileRedisIsSilentJoinsLeavesAndEventsGoOnWithoutWaitingForIt() {
        URI redis = URI.create(TestRedis.url().url());
        assumeTrue(List.of("localhost", "127.0.0.1").contains(redis.getHost()),
                "the relay reaches 127.0.0.1 only");
        Database.Postgres database = TestPostgres.freshDatabase();
        try (TcpProxy proxy = TcpProxy.start(redis.getPort())) {
            Config config = TestServer.fastConfig(database).toBuilder()
                    .redis(RedisUrl.parse("redis://127.0.0.1:" + proxy.port())).build();
            try (TestServer a = TestServer.start(config); TestServer b = TestServer.start(config);
                    WsClient member = WsClient.connect(a); WsClient far = WsClient.connect(b)) {
                member.join("board-1");
                far.join("board-1");
                assertEquals(2, member.awaitType("user_joined").path("viewers").asInt(), "the far member, via Redis");
                Http http = new Http(a);
                http.createTask("list-todo", "before");
                assertEquals(1, member.await(RedisSilenceTest::isTaskEvent).path("seq").asLong());
                assertEquals(1, far.await(RedisSilenceTest::isTaskEvent).path("seq").asLong());

                proxy.stallAll();
                long start = System.nanoTime();
                for (int i = 0; i < VISITORS; i++) {
                    try (WsClient visitor = WsClient.connect(a)) {
                        visitor.join("board-1");
                        visitor.awaitType("presence");
                    }
                    http.createTask("list-todo", "while Redis is silent " + i);
                }
                Http.Reply presence = http.get("/boards/board-1/presence");
                assertEquals(200, presence.status(), presence.body());
                long last = VISITORS + 1;
                member.await(m -> isTaskEvent(m) && m.path("seq").asLong() == last);
                far.await(m -> isTaskEvent(m) && m.path("seq").asLong() == last);
                List<Long> all = LongStream.rangeClosed(1, last).boxed().toList();
                assertEquals(all, seqs(member), "the member on the writing node: every event, in order");
                assertEquals(all, seqs(far), "the member on the other node, from the database: every event, in order");
                assertEquals(List.of(2, 1, 2, 1, 2, 1, 2, 1, 2, 1), member.drain().stream()
                        .filter(m -> m.path("type").asText().matches("user_joined|user_left"))
                        .skip(1).map(m -> m.path("viewers").asInt()).toList(),
                        "each visitor announced to the member's room, from what its node knows");
                long millis = (System.nanoTime() - start) / 1_000_000;
                // each change waiting out a command timeout on the fan-out thread would take over 40 s here; a node
                // that stops asking a silent Redis takes well under a second (the bound leaves room for a slow machine)
                assertTrue(millis < 15_000, VISITORS + " visitors came and went and their tasks were delivered in "
                        + millis + " ms: the fan-out waited on the silent Redis");
            }
        }
    }
}
