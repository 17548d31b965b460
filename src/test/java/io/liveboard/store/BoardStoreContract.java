package io.liveboard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.board.Access;
import io.liveboard.board.BoardEvent;
import io.liveboard.board.BoardService;
import io.liveboard.board.BoardSnapshot;
import io.liveboard.board.BoardStore;
import io.liveboard.board.Catchup;
import io.liveboard.board.DemoData;
import io.liveboard.board.IdempotencyConflictException;
import io.liveboard.board.IdempotencyKey;
import io.liveboard.board.NewTask;
import io.liveboard.board.NotFoundException;
import io.liveboard.board.Origin;
import io.liveboard.board.Outcome;
import io.liveboard.board.StoreException;
import io.liveboard.board.Task;
import io.liveboard.board.TaskMove;
import io.liveboard.board.TaskUpdates;
import io.liveboard.board.ValidationException;
import io.liveboard.support.MovableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BoardStore} promises, as {@link BoardService} relies on it (house rule 8): each subclass runs
 * these tests on its own database. Each test starts on a new database with the demo data.
 *
 * <p>"Another node" is a second store on the same database, as a second server would have it: PostgreSQL's
 * subclass opens one; SQLite's, whose file has one writing process, gives the same store, so that the concurrent
 * tests there run several threads through its one writer.
 */
abstract class BoardStoreContract {

    protected static final int RETENTION = 10_000;

    /** The store on this test's database. */
    protected BoardStore store;
    private final List<BoardStore> opened = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    /** A store on a new, empty database, keeping {@code retention} events per board. */
    protected abstract BoardStore openNew(int retention);

    /** Closes {@code current} and opens its database again. */
    protected abstract BoardStore reopen(BoardStore current);

    /** A second store on the database of {@code current}, as a second node has it (or {@code current} itself). */
    protected abstract BoardStore anotherNode(BoardStore current);

    @BeforeEach
    void openDatabase() {
        store = opened(openNew(RETENTION));
        DemoData.seedIfEmpty(store, Instant.now());
    }

    @AfterEach
    void closeStores() {
        threads.shutdownNow();
        opened.forEach(BoardStore::close);
    }

    /** Closes {@code s} with the test. */
    protected BoardStore opened(BoardStore s) {
        opened.add(s);
        return s;
    }

    /** A node's service, with the events it handed on after their commits in the order it handed them. */
    private record Node(BoardService service, List<BoardEvent> published) {
        Task create(String listId, String title) {
            return service.createTask(new NewTask(listId, title, null, null), Origin.NONE).value();
        }

        List<Long> seqs(String boardId) {
            return published.stream().filter(e -> e.boardId().equals(boardId)).map(BoardEvent::seq).toList();
        }
    }

    private static Node node(BoardStore on, Clock clock) {
        List<BoardEvent> published = new CopyOnWriteArrayList<>();
        return new Node(new BoardService(on, published::add, clock), published);
    }

    private static Node node(BoardStore on) {
        return node(on, Clock.systemUTC());
    }

    private static List<Long> oneTo(long n) {
        return LongStream.rangeClosed(1, n).boxed().toList();
    }

    private static List<Long> seqs(List<BoardEvent> events) {
        return events.stream().map(BoardEvent::seq).toList();
    }

    /** Runs the calls on threads of their own, started together, and waits for all of them. */
    private <T> List<T> together(List<Callable<T>> calls) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> call : calls) {
            futures.add(threads.submit(() -> {
                go.await();
                return call.call();
            }));
        }
        go.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(60, TimeUnit.SECONDS));
        }
        return results;
    }

    private static void assertPositionsWhole(BoardSnapshot board) {
        for (BoardSnapshot.ListSnapshot list : board.lists()) {
            assertEquals(IntStream.range(0, list.tasks().size()).boxed().toList(),
                    list.tasks().stream().map(Task::position).toList(), "positions of " + list.id());
        }
    }

    @Test
    void eachBoardsEventsAreNumberedFromOneWithoutGapsInCommitOrder() {
        Node node = node(store);
        Task a = node.create("list-todo", "a");
        node.create("list-2-todo", "on board 2");
        node.service().moveTask(a.id(), new TaskMove("list-done", 0), Origin.of("socket-1"));
        node.service().createList("board-1", "Review", Origin.NONE);
        node.service().deleteTask(a.id(), Origin.NONE);

        assertEquals(List.of(1L, 2L, 3L, 4L), node.seqs("board-1"));
        assertEquals(List.of(1L), node.seqs("board-2"));
        List<BoardEvent> kept = store.read(tx -> tx.events("board-1", 0, 100));
        assertEquals(List.of(1L, 2L, 3L, 4L), seqs(kept));
        assertEquals(List.of(BoardEvent.TASK_CREATED, BoardEvent.TASK_MOVED, BoardEvent.LIST_CREATED,
                BoardEvent.TASK_DELETED), kept.stream().map(BoardEvent::type).toList());
        assertEquals("socket-1", node.published().get(2).originId(), "the origin goes with the published event");
        assertEquals("socket-1", kept.get(1).originId(), "and is stored with it: a node that reads the event rather "
                + "than receiving it still spares the connection");
        assertNull(kept.get(0).originId());
        assertEquals(a.id(), kept.get(3).data().get("taskId"));
        assertEquals(4L, store.<Long>read(tx -> tx.lastSeq("board-1")));
        assertEquals(1L, store.<Long>read(tx -> tx.firstSeq("board-1")));
        assertEquals(0L, store.<Long>read(tx -> tx.lastSeq("board-404")));
    }

    @Test
    void aFailingChangeLeavesNeitherItsDataNorItsEventAndItsNumberIsNotLost() {
        Node node = node(store);
        node.create("list-todo", "kept");
        List<String> handedOn = new CopyOnWriteArrayList<>();
        for (RuntimeException failure : List.of(new ValidationException("refused"),
                new StoreException("the database failed", null))) {
            RuntimeException thrown = assertThrows(failure.getClass(), () -> store.write(tx -> {
                Instant now = Instant.now();
                tx.insertTask(new Task("doomed", "board-1", "list-todo", "doomed", "", null, 1, now, now));
                tx.appendEvent("board-1", BoardEvent.TASK_CREATED, "doomed", Map.of("taskId", "doomed"), now, null);
                throw failure;
            }, result -> handedOn.add("doomed")));
            assertEquals(failure.getMessage(), thrown.getMessage());
        }
        assertEquals(List.of(), handedOn, "nothing is handed on for a write that did not commit");
        assertEquals(Optional.empty(), store.read(tx -> tx.task("doomed")));
        assertEquals(List.of(1L), seqs(store.read(tx -> tx.events("board-1", 0, 100))));
        assertThrows(NotFoundException.class,
                () -> node.service().createTask(new NewTask("list-todo", "x", null, "user-404"), Origin.NONE));
        assertEquals("task-2", node.create("list-todo", "next").id(), "a refused change took no id");
        assertEquals(List.of(1L, 2L), node.seqs("board-1"));
        assertEquals(List.of("kept", "next"), node.service().board("board-1").lists().get(0).tasks().stream()
                .map(Task::title).toList());
    }

    @Test
    void aClientThatHasSeenNGetsExactlyTheEventsAfterN() {
        Node node = node(store);
        for (int i = 1; i <= 10; i++) {
            node.create("list-todo", "task " + i);
        }
        String epoch = store.read(tx -> tx.epoch());
        Catchup after4 = node.service().catchUp("board-1", 4L, epoch, 100);
        assertEquals(List.of(5L, 6L, 7L, 8L, 9L, 10L), seqs(after4.events()));
        assertEquals(10L, after4.seq());
        assertFalse(after4.more());
        assertEquals("task 5", ((Map<?, ?>) after4.events().get(0).data().get("task")).get("title"), "read back as JSON");

        Catchup limited = node.service().catchUp("board-1", 4L, epoch, 3);
        assertEquals(List.of(5L, 6L, 7L), seqs(limited.events()));
        assertEquals(7L, limited.seq());
        assertTrue(limited.more());

        Catchup upToDate = node.service().catchUp("board-1", 10L, epoch, 100);
        assertEquals(List.of(), upToDate.events());
        assertNull(upToDate.resync());
        Catchup live = node.service().catchUp("board-1", null, null, 100);
        assertTrue(live.live());
        assertEquals(10L, live.seq());

        Catchup ahead = node.service().catchUp("board-1", 11L, epoch, 100);
        assertNotNull(ahead.resync(), "a number ahead of the board resyncs");
        assertEquals(10L, ahead.resync().seq());
    }

    @Test
    void retentionKeepsEachBoardsLastEventsAndAnOlderCursorResyncs() {
        store = opened(openNew(5));
        DemoData.seedIfEmpty(store, Instant.now());
        Node node = node(store);
        for (int i = 1; i <= 12; i++) {
            node.create("list-todo", "task " + i);
        }
        node.create("list-2-todo", "other board");
        assertEquals(8L, store.<Long>read(tx -> tx.firstSeq("board-1")));
        assertEquals(List.of(8L, 9L, 10L, 11L, 12L), seqs(store.read(tx -> tx.events("board-1", 0, 100))));
        assertEquals(List.of(1L), seqs(store.read(tx -> tx.events("board-2", 0, 100))), "retention is per board");

        String epoch = store.read(tx -> tx.epoch());
        assertEquals(List.of(8L, 9L, 10L, 11L, 12L), seqs(node.service().catchUp("board-1", 7L, epoch, 100).events()));
        Catchup tooOld = node.service().catchUp("board-1", 6L, epoch, 100);
        assertEquals(List.of(), tooOld.events());
        assertEquals(12L, tooOld.resync().seq());
        assertEquals(12, tooOld.resync().lists().get(0).tasks().size());

        TaskUpdates sinceTheStart = node.service().updates("board-1", Instant.EPOCH);
        assertNotNull(sinceTheStart.resync(), "deletions before the kept log are forgotten: resync");
    }

    @Test
    void theEpochIsTheDatabasesOwnMadeOnceAndAnotherDatabasesIsRefused() {
        String epoch = store.read(tx -> tx.epoch());
        assertTrue(epoch.matches("[0-9a-f]{8}"), epoch);
        Node node = node(store);
        node.create("list-todo", "a");
        node.create("list-todo", "b");

        store = reopen(store);
        opened(store);
        assertEquals(epoch, store.read(tx -> tx.epoch()), "the same database, the same epoch");
        assertEquals(epoch, anotherNode(store).read(tx -> tx.epoch()));
        BoardService again = new BoardService(store, e -> { }, Clock.systemUTC());
        assertEquals(List.of(2L), seqs(again.catchUp("board-1", 1L, epoch, 100).events()));
        assertEquals(List.of(2L), seqs(again.catchUp("board-1", 1L, null, 100).events()), "no epoch: not checked");

        BoardStore other = opened(openNew(RETENTION));
        String otherEpoch = other.read(tx -> tx.epoch());
        assertNotEquals(epoch, otherEpoch);
        Catchup foreign = again.catchUp("board-1", 1L, otherEpoch, 100);
        assertNotNull(foreign.resync(), "a position of another database resyncs");
        assertEquals(epoch, foreign.epoch());
    }

    @Test
    void aKeyedChangeIsAppliedOnceRefusedForAnotherCommandAndForgottenAfterItsLifetime() {
        MovableClock clock = new MovableClock();
        Node node = node(store, clock);
        IdempotencyKey key = new IdempotencyKey(IdempotencyKey.SHARED_SCOPE, "key-1", "test");
        NewTask first = new NewTask("list-todo", "Once", null, null);

        // a refused change keeps nothing: its key may be used again
        assertThrows(NotFoundException.class, () -> node.service().createTask(
                new NewTask("list-404", "Once", null, null), Origin.NONE, Access.ALL, key));
        Outcome<Task> applied = node.service().createTask(first, Origin.NONE, Access.ALL, key);
        assertFalse(applied.replayed());
        Outcome<Task> replayed = node.service().createTask(first, Origin.NONE, Access.ALL, key);
        assertTrue(replayed.replayed());
        assertEquals(List.of(applied.result().seq(), applied.result().createdAt(), applied.change().value().id()),
                List.of(replayed.result().seq(), replayed.result().createdAt(),
                        ((Map<?, ?>) replayed.result().value()).get("id")), "the first result again");
        assertEquals(List.of(1L), node.seqs("board-1"), "a replay makes no event");
        assertThrows(IdempotencyConflictException.class, () -> node.service().createTask(
                new NewTask("list-todo", "Another", null, null), Origin.NONE, Access.ALL, key));
        IdempotencyKey otherScope = new IdempotencyKey("user-2", "key-1", "test");
        assertFalse(node.service().createTask(first, Origin.NONE, Access.ALL, otherScope).replayed(),
                "keys are per scope");

        IdempotencyKey old = new IdempotencyKey(IdempotencyKey.SHARED_SCOPE, "key-old", "test");
        node.service().createTask(new NewTask("list-todo", "Old", null, null), Origin.NONE, Access.ALL, old);
        clock.advance(IdempotencyKey.LIFETIME.plus(Duration.ofMinutes(1)));
        Outcome<Task> afresh = node.service().createTask(first, Origin.NONE, Access.ALL, key);
        assertFalse(afresh.replayed(), "past its lifetime a key is a new key");
        assertEquals(Optional.empty(), store.read(tx -> tx.commandResult(old)), "the expired key went with it");
        assertEquals(List.of("Once", "Once", "Old", "Once"), node.service().board("board-1").lists().get(0).tasks()
                .stream().map(Task::title).toList());
    }

    @Test
    void oneKeySentFromManyThreadsAndNodesAtOnceIsAppliedOnce() throws Exception {
        List<Node> nodes = List.of(node(store), node(anotherNode(store)));
        IdempotencyKey key = new IdempotencyKey(IdempotencyKey.SHARED_SCOPE, "raced", "test");
        List<Callable<Outcome<Task>>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Node node = nodes.get(i % 2);
            calls.add(() -> node.service().createTask(new NewTask("list-todo", "Raced", null, null), Origin.NONE,
                    Access.ALL, key));
        }
        List<Outcome<Task>> outcomes = together(calls);
        assertEquals(1, outcomes.stream().filter(o -> !o.replayed()).count(), "applied once");
        assertEquals(List.of(1L), outcomes.stream().map(o -> o.result().seq()).distinct().toList(),
                "the others got its result");
        assertEquals(1, node(store).service().board("board-1").lists().get(0).tasks().size());
        assertEquals(List.of(1L), seqs(store.read(tx -> tx.events("board-1", 0, 100))));
    }

    @Test
    void concurrentWritersOnOneBoardGetOneToNWithoutGapOrDuplicate() throws Exception {
        List<Node> nodes = List.of(node(store), node(anotherNode(store)));
        int writers = 8;
        int each = 40;
        List<Callable<List<String>>> calls = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Node node = nodes.get(w % 2);
            int writer = w;
            calls.add(() -> {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    ids.add(node.create("list-todo", "w" + writer + "-" + i).id());
                }
                return ids;
            });
        }
        List<String> ids = together(calls).stream().flatMap(List::stream).toList();

        int total = writers * each;
        assertEquals(total, new HashSet<>(ids).size(), "every task has an id of its own");
        assertEquals(oneTo(total), seqs(store.read(tx -> tx.events("board-1", 0, total + 1))));
        List<Long> handedOn = new ArrayList<>();
        for (Node node : nodes.stream().distinct().toList()) {
            List<Long> mine = node.seqs("board-1");
            assertEquals(mine.stream().sorted().toList(), mine, "a node hands a board's events on in seq order");
            handedOn.addAll(mine);
        }
        assertEquals(oneTo(total), handedOn.stream().sorted().toList(), "each event handed on once, by its node");
        BoardSnapshot board = nodes.get(0).service().board("board-1");
        assertEquals(total, board.seq());
        assertEquals(total, board.lists().get(0).tasks().size());
        assertPositionsWhole(board);
    }

    @Test
    void concurrentMovesFromManyThreadsAndNodesKeepEveryListNumberedWithoutHoles() throws Exception {
        List<Node> nodes = List.of(node(store), node(anotherNode(store)));
        List<String> lists = List.of("list-todo", "list-doing", "list-done");
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            tasks.add(nodes.get(0).create(lists.get(i % 3), "task " + i).id());
        }
        int movers = 6;
        int each = 40;
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int m = 0; m < movers; m++) {
            Node node = nodes.get(m % 2);
            Random random = new Random(m);
            calls.add(() -> {
                for (int i = 0; i < each; i++) {
                    Integer position = random.nextBoolean() ? null : random.nextInt(10);
                    node.service().moveTask(tasks.get(random.nextInt(tasks.size())),
                            new TaskMove(lists.get(random.nextInt(3)), position), Origin.NONE);
                }
                return each;
            });
        }
        together(calls);

        BoardSnapshot board = nodes.get(0).service().board("board-1");
        assertPositionsWhole(board);
        Set<String> after = new HashSet<>();
        board.lists().forEach(l -> l.tasks().forEach(t -> after.add(t.id())));
        assertEquals(Set.copyOf(tasks), after, "every task once, none lost or doubled");
        long total = 24 + movers * each;
        assertEquals(total, board.seq());
        assertEquals(oneTo(total), seqs(store.read(tx -> tx.events("board-1", 0, (int) total + 1))));
    }

    @Test
    void aReadAfterWritesWaitsForAWriteOfItsBoardInProgressAndAPlainReadDoesNot() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> write = threads.submit(() -> store.write(tx -> {
            tx.board("board-1");
            Instant now = Instant.now();
            tx.insertTask(new Task("slow", "board-1", "list-todo", "slow", "", null, 0, now, now));
            writing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return null;
        }, x -> { }));
        assertTrue(writing.await(10, TimeUnit.SECONDS));
        Future<List<String>> cut = threads.submit(() -> store.readAfterWrites(
                tx -> tx.tasks("board-1").stream().map(Task::id).toList()));

        assertEquals(List.of(), store.read(tx -> tx.tasks("board-1")), "a plain read sees the last commit only");
        assertThrows(java.util.concurrent.TimeoutException.class, () -> cut.get(300, TimeUnit.MILLISECONDS),
                "the cut waits for the write in progress");
        release.countDown();
        write.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("slow"), cut.get(10, TimeUnit.SECONDS));
    }

    @Test
    void theDemoDataIsMadeOnceEvenWhenTwoNodesStartOnAnEmptyDatabaseTogether() throws Exception {
        BoardStore empty = opened(openNew(RETENTION));
        BoardStore second = anotherNode(empty);
        List<Boolean> seeded = together(List.of(() -> DemoData.seedIfEmpty(empty, Instant.now()),
                () -> DemoData.seedIfEmpty(second, Instant.now())));
        assertEquals(1, seeded.stream().filter(s -> s).count(), String.valueOf(seeded));
        BoardService service = new BoardService(empty, e -> { }, Clock.systemUTC());
        assertEquals(List.of("board-1", "board-2"), service.boards().stream().map(b -> b.id()).toList());
        assertEquals(List.of("list-todo", "list-doing", "list-done"),
                service.board("board-1").lists().stream().map(BoardSnapshot.ListSnapshot::id).toList());
        assertEquals(Boolean.TRUE, empty.<Boolean>read(tx -> tx.userExists("user-1") && tx.userExists("user-2")));
        assertEquals("board-3", service.createBoard("Next").id(), "ids go on after the demo's");
    }

    @Test
    void aClosedStoreRefusesWork() {
        BoardStore closing = openNew(RETENTION);
        assertTrue(closing.healthy());
        closing.close();
        assertFalse(closing.healthy());
        assertThrows(StoreException.class, () -> closing.read(tx -> tx.boards()));
        StoreException e = assertThrows(StoreException.class, () -> closing.write(tx -> 1, x -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
