package io.liveboard.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.liveboard.store.SqliteBoardStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The domain rules on a real SQLite file: positions, event numbering, atomicity, publish order. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BoardServiceTest {

    @TempDir
    Path dir;
    SqliteBoardStore store;
    List<BoardEvent> published;
    BoardService service;

    @BeforeEach
    void open() {
        store = SqliteBoardStore.open(dir.resolve("test.db"));
        DemoData.seedIfEmpty(store, Clock.systemUTC().instant());
        published = new CopyOnWriteArrayList<>();
        service = new BoardService(store, published::add, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Task create(String listId, String title) {
        return service.createTask(new NewTask(listId, title, null, null), Origin.NONE).value();
    }

    private void assertPositionsContiguous(String boardId) {
        for (BoardSnapshot.ListSnapshot list : service.board(boardId).lists()) {
            assertEquals(IntStream.range(0, list.tasks().size()).boxed().toList(),
                    list.tasks().stream().map(Task::position).toList(), "positions of " + list.id());
            list.tasks().forEach(t -> assertEquals(list.id(), t.listId()));
        }
    }

    @Test
    void randomMovesAndDeletesKeepEveryListNumberedFromZeroWithoutHoles() {
        List<String> lists = List.of("list-todo", "list-doing", "list-done");
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            tasks.add(create(lists.get(i % 3), "task " + i).id());
        }
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            String taskId = tasks.get(random.nextInt(tasks.size()));
            if (random.nextInt(10) == 0) {
                service.deleteTask(taskId, Origin.NONE);
                tasks.remove(taskId);
                tasks.add(create(lists.get(random.nextInt(3)), "again " + i).id());
            } else {
                Integer position = random.nextBoolean() ? null : random.nextInt(15);
                service.moveTask(taskId, new TaskMove(lists.get(random.nextInt(3)), position), Origin.NONE);
            }
        }
        assertPositionsContiguous("board-1");
        assertEquals(30, service.board("board-1").lists().stream().mapToInt(l -> l.tasks().size()).sum());
    }

    @Test
    void everyChangeGetsTheNextSequenceNumberOfItsBoardAndIsPublishedOnce() {
        Task a = create("list-todo", "a");
        create("list-2-todo", "on board 2");
        service.updateTask(a.id(), new TaskPatch(PatchField.of("a2"), PatchField.absent(), PatchField.absent()), Origin.of("sock"));
        service.moveTask(a.id(), new TaskMove("list-done", 0), Origin.NONE);
        service.deleteTask(a.id(), Origin.NONE);

        List<Long> board1 = published.stream().filter(e -> e.boardId().equals("board-1")).map(BoardEvent::seq).toList();
        assertEquals(List.of(1L, 2L, 3L, 4L), board1);
        assertEquals(List.of(BoardEvent.TASK_CREATED, BoardEvent.TASK_UPDATED, BoardEvent.TASK_MOVED,
                BoardEvent.TASK_DELETED), published.stream().filter(e -> e.boardId().equals("board-1"))
                .map(BoardEvent::type).toList());
        assertEquals("sock", published.get(2).originId());
        assertEquals(1L, service.board("board-2").seq());
        assertEquals(4L, service.board("board-1").seq());
    }

    @Test
    void aRefusedChangeLeavesNoTaskAndNoEvent() {
        create("list-todo", "kept");
        assertThrows(NotFoundException.class,
                () -> service.createTask(new NewTask("list-todo", "x", null, "user-404"), Origin.NONE));
        assertThrows(ValidationException.class,
                () -> service.moveTask(service.board("board-1").lists().get(0).tasks().get(0).id(),
                        new TaskMove("list-2-todo", null), Origin.NONE));

        assertEquals(1, published.size());
        assertEquals(1L, service.board("board-1").seq());
        assertEquals(List.of("kept"), service.board("board-1").lists().get(0).tasks().stream().map(Task::title).toList());
    }

    @Test
    void concurrentWritersPublishEachBoardsEventsInSequenceOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            String list = t % 2 == 0 ? "list-todo" : "list-2-todo";
            work.add(pool.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    create(list, "t" + i);
                }
            }));
        }
        for (Future<?> f : work) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        Map<String, List<Long>> seqs = new ConcurrentHashMap<>();
        published.forEach(e -> seqs.computeIfAbsent(e.boardId(), k -> new ArrayList<>()).add(e.seq()));
        List<Long> expected = IntStream.rangeClosed(1, 150).mapToObj(i -> (long) i).toList();
        assertEquals(expected, seqs.get("board-1"));
        assertEquals(expected, seqs.get("board-2"));
        assertPositionsContiguous("board-1");
    }

    @Test
    void titlesAreTrimmedAndLimitedToFiveHundredCharactersCountingEmojiAsOne() {
        String emoji = "\uD83D\uDE80";
        assertEquals("padded", create("list-todo", "  padded  ").title());
        assertEquals(emoji.repeat(500), create("list-todo", emoji.repeat(500)).title());
        ValidationException tooLong = assertThrows(ValidationException.class,
                () -> create("list-todo", emoji.repeat(501)));
        assertEquals("title must be at most 500 characters", tooLong.getMessage());
    }
}
