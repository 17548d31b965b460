package io.liveboard.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RoomRegistryTest {

    /** A connection that records what it was sent. */
    static final class Recording implements Connection {
        final String id;
        final List<OutboundMessage> received = new CopyOnWriteArrayList<>();
        volatile boolean open = true;

        Recording(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Transport transport() {
            return Transport.WEBSOCKET;
        }

        @Override
        public void send(List<OutboundMessage> messages) {
            received.addAll(messages);
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close(int code, String reason) {
            open = false;
        }

        @Override
        public void heartbeat() {
        }
    }

    private static OutboundMessage message(String text) {
        return message(text, null);
    }

    private static OutboundMessage message(String text, String excludeId) {
        return new OutboundMessage("test", "board-1", 0, text, excludeId);
    }

    private static Recording added(RoomRegistry registry, String id) {
        Recording connection = new Recording(id);
        registry.add(connection);
        return connection;
    }

    @Test
    void joinReportsTheSizeAndOnlyTheFirstJoinChangesMembership() {
        RoomRegistry registry = new RoomRegistry();
        Recording alice = added(registry, "alice");
        Recording bob = added(registry, "bob");

        assertEquals(new RoomRegistry.Membership(true, 1, 0), registry.join("board-1", alice));
        assertEquals(new RoomRegistry.Membership(true, 2, 0), registry.join("board-1", bob));
        assertEquals(new RoomRegistry.Membership(false, 2, 0), registry.join("board-1", bob));
        assertEquals(2, registry.size("board-1"));
        assertEquals(0, registry.size("board-2"));
    }

    @Test
    void broadcastSkipsTheExcludedConnectionClosedOnesAndOtherRooms() {
        RoomRegistry registry = new RoomRegistry();
        Recording alice = added(registry, "alice");
        Recording bob = added(registry, "bob");
        Recording carol = added(registry, "carol");
        Recording closing = added(registry, "closing");
        registry.join("board-1", alice);
        registry.join("board-1", bob);
        registry.join("board-1", closing);
        registry.join("board-2", carol);
        closing.open = false;

        int sent = registry.broadcast("board-1", message("hello", "alice"));

        assertEquals(1, sent);
        assertEquals(List.of(), alice.received);
        assertEquals("hello", bob.received.get(0).json());
        assertEquals(List.of(), carol.received);
        assertEquals(List.of(), closing.received);
        assertEquals(0, registry.broadcast("board-9", message("nobody")));
    }

    @Test
    void batchBroadcastSparesEachMemberOnlyTheMessagesItCaused() {
        RoomRegistry registry = new RoomRegistry();
        Recording alice = added(registry, "alice");
        Recording bob = added(registry, "bob");
        registry.join("board-1", alice);
        registry.join("board-1", bob);
        OutboundMessage byAlice = new OutboundMessage("task_created", "board-1", 1, "{\"n\":1}", "alice");
        OutboundMessage byNobody = new OutboundMessage("task_created", "board-1", 2, "{\"n\":2}", null);
        OutboundMessage byBob = new OutboundMessage("task_created", "board-1", 3, "{\"n\":3}", "bob");

        assertEquals(2, registry.broadcast("board-1", List.of(byAlice, byNobody, byBob)));

        assertEquals(List.of(byNobody, byBob), alice.received);
        assertEquals(List.of(byAlice, byNobody), bob.received);
    }

    @Test
    void leaveAndRemoveDropEmptyRoomsAndReportWhatWasLeft() {
        RoomRegistry registry = new RoomRegistry();
        Recording alice = added(registry, "alice");
        Recording bob = added(registry, "bob");
        registry.join("board-1", alice);
        registry.join("board-2", alice);
        registry.join("board-1", bob);

        assertEquals(new RoomRegistry.Membership(true, 1, 0), registry.leave("board-1", bob));
        assertEquals(new RoomRegistry.Membership(false, 1, 0), registry.leave("board-1", bob));
        assertEquals(List.of("board-1", "board-2"), registry.remove(alice).stream().sorted().toList());
        assertEquals(Map.of(), registry.roomSizes());
        assertEquals(0, registry.roomCount());
        assertEquals(1, registry.connectionCount());
        assertEquals(List.of(), registry.remove(alice));
    }

    @Test
    void aRemovedConnectionCannotJoin() {
        RoomRegistry registry = new RoomRegistry();
        Recording alice = added(registry, "alice");
        registry.remove(alice);

        assertEquals(new RoomRegistry.Membership(false, 0, 0), registry.join("board-1", alice));
        assertFalse(registry.isMember("board-1", alice));
        assertEquals(0, registry.roomCount());
    }

    @Test
    void concurrentJoinsLeavesRemovesAndBroadcastsLeaveNoEmptyRoomAndLoseNoMember() throws Exception {
        RoomRegistry registry = new RoomRegistry();
        int threads = 8;
        int connectionsPerThread = 200;
        List<String> rooms = List.of("board-1", "board-2", "board-3", "board-4");
        List<List<Recording>> stayers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads + 2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Recording> mine = new ArrayList<>();
            stayers.add(mine);
            int thread = t;
            work.add(pool.submit(() -> {
                go.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < connectionsPerThread; i++) {
                    Recording c = added(registry, "c-" + thread + "-" + i);
                    for (String room : rooms) {
                        if (random.nextBoolean()) {
                            registry.join(room, c);
                        }
                    }
                    switch (random.nextInt(3)) {
                        case 0 -> registry.remove(c);
                        case 1 -> rooms.forEach(room -> registry.leave(room, c));
                        default -> {
                            registry.join("board-1", c);
                            mine.add(c);
                        }
                    }
                }
                return null;
            }));
        }
        work.add(pool.submit(() -> {
            go.await();
            for (int i = 0; i < 2_000; i++) {
                registry.broadcast(rooms.get(i % rooms.size()), message("m" + i));
            }
            return null;
        }));
        go.countDown();
        for (Future<?> f : work) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        int expectedStayers = stayers.stream().mapToInt(List::size).sum();
        assertEquals(expectedStayers, registry.size("board-1"));
        registry.roomSizes().forEach((room, size) -> assertTrue(size > 0, "empty room left behind: " + room));
        for (List<Recording> mine : stayers) {
            for (Recording c : mine) {
                assertTrue(registry.isMember("board-1", c), c.id + " lost its membership");
            }
        }
        // everyone still in board-1 gets the next broadcast exactly once
        stayers.stream().flatMap(List::stream).forEach(c -> c.received.clear());
        assertEquals(expectedStayers, registry.broadcast("board-1", message("final")));
        stayers.stream().flatMap(List::stream).forEach(c -> assertEquals(1, c.received.size()));
    }
}
