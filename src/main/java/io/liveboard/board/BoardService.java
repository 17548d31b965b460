package io.liveboard.board;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The rules of boards, lists and tasks. Every change runs in one store transaction that also appends the
 * event it causes; once committed, the event is handed to {@code publisher}, in its board's commit order. Transports
 * call this and nothing else to read or change boards. Thread-safe.
 *
 * <p>A change may carry an {@link IdempotencyKey}: then it is applied once however often it is sent. Inside the
 * change's transaction the key is looked up first; a live key with the same {@link Command} answers with the
 * result it keeps ({@link Outcome#replayed()}: nothing applied, no event), with another command it is refused
 * ({@link IdempotencyConflictException}); otherwise the change is applied and its result kept under the key in
 * the same transaction, so that neither can exist without the other. A refused change keeps nothing, so its
 * key may be retried. The store takes two writes that look up one key one after the other
 * ({@link BoardTransaction#commandResult}), so of two requests with one key at the same moment one applies and the
 * other gets its result.
 */
public final class BoardService {

    public static final int MAX_TITLE = 500;
    public static final int MAX_NAME = 200;
    public static final int MAX_DESCRIPTION = 10_000;
    static final List<String> DEFAULT_LISTS = List.of("To Do", "In Progress", "Done");
    /**
     * Expired idempotency keys forgotten by one change that keeps a key, at most: they go at least as fast as new
     * ones come, and no change pays for a long backlog at once.
     */
    static final int PURGE_LIMIT = 100;

    private final BoardStore store;
    private final Consumer<BoardEvent> publisher;
    private final Clock clock;

    public BoardService(BoardStore store, Consumer<BoardEvent> publisher, Clock clock) {
        this.store = store;
        this.publisher = publisher;
        this.clock = clock;
    }

    public List<Board> boards() {
        return store.read(BoardTransaction::boards);
    }

    /** Creates a board with the lists To Do, In Progress and Done; returns it as {@link #board} shows it. */
    public BoardSnapshot createBoard(String name) {
        return createBoard(name, null).change().value();
    }

    /** {@link #createBoard(String)} once for {@code key} (null: no key); it causes no event. */
    public Outcome<BoardSnapshot> createBoard(String name, IdempotencyKey key) {
        String checked = requireText("name", name, MAX_NAME);
        return run(Command.of(Command.Kind.CREATE_BOARD, "name", checked), key, Origin.NONE, Access.ALL, tx -> {
            Instant now = now();
            Board board = new Board(tx.nextId("board"), checked, now);
            tx.insertBoard(board);
            for (int i = 0; i < DEFAULT_LISTS.size(); i++) {
                tx.insertList(new TaskList(tx.nextId("list"), board.id(), DEFAULT_LISTS.get(i), i));
            }
            return new Change<>(snapshot(tx, board.id()), null);
        });
    }

    public BoardSnapshot board(String boardId) {
        return store.read(tx -> snapshot(tx, boardId));
    }

    /**
     * Where a client that has seen the board's events up to {@code after} goes on from: the events after it
     * (at most {@code limit}), or a resync snapshot when {@code after} is older than the kept log, ahead of the
     * board, or the client's {@code epoch} (null: not checked) is not this store's. With {@code after} null,
     * no events: the board's current number, for a client that starts live.
     */
    public Catchup catchUp(String boardId, Long after, String epoch, int limit) {
        return store.read(tx -> {
            requireBoard(tx, boardId);
            long last = tx.lastSeq(boardId);
            if (after == null) {
                return new Catchup(boardId, tx.epoch(), last, List.of(), null, false, true);
            }
            boolean sameStore = epoch == null || epoch.equals(tx.epoch());
            boolean kept = after == last || (after < last && after >= tx.firstSeq(boardId) - 1);
            if (!sameStore || !kept) {
                BoardSnapshot board = snapshot(tx, boardId);
                return new Catchup(boardId, tx.epoch(), board.seq(), List.of(), board, false, false);
            }
            List<BoardEvent> events = after == last ? List.of() : tx.events(boardId, after, limit);
            long reached = events.isEmpty() ? last : events.get(events.size() - 1).seq();
            return new Catchup(boardId, tx.epoch(), reached, events, null, reached < last, false);
        });
    }

    private static BoardSnapshot snapshot(BoardTransaction tx, String boardId) {
        Board board = requireBoard(tx, boardId);
        List<Task> tasks = tx.tasks(boardId);
        List<BoardSnapshot.ListSnapshot> lists = new ArrayList<>();
        for (TaskList list : tx.lists(boardId)) {
            List<Task> inList = tasks.stream().filter(t -> t.listId().equals(list.id())).toList();
            lists.add(new BoardSnapshot.ListSnapshot(list.id(), boardId, list.name(), list.position(), inList));
        }
        return new BoardSnapshot(board.id(), board.name(), board.createdAt(), tx.lastSeq(boardId), lists);
    }

    /** Each board's last event number, in the order given; {@link NotFoundException} for a missing board. */
    public Map<String, Long> lastSeqs(List<String> boardIds) {
        return store.read(tx -> {
            Map<String, Long> seqs = new LinkedHashMap<>();
            for (String id : boardIds) {
                requireBoard(tx, id);
                seqs.put(id, tx.lastSeq(id));
            }
            return seqs;
        });
    }

    /** Each board's last event number, read together (boards that do not exist are left out). */
    public Map<String, Long> heads(Collection<String> boardIds) {
        return boardIds.isEmpty() ? Map.of() : store.read(tx -> tx.lastSeqs(boardIds));
    }

    public Change<TaskList> createList(String boardId, String name, Origin origin) {
        return createList(boardId, name, origin, null).change();
    }

    /** Adds a list at the end of the board, once for {@code key} (null: no key). */
    public Outcome<TaskList> createList(String boardId, String name, Origin origin, IdempotencyKey key) {
        String checked = requireText("name", name, MAX_NAME);
        Command command = Command.of(Command.Kind.CREATE_LIST, "boardId", boardId, "name", checked);
        return run(command, key, origin, Access.ALL, tx -> {
            requireBoard(tx, boardId);
            TaskList list = new TaskList(tx.nextId("list"), boardId, checked, tx.lists(boardId).size());
            tx.insertList(list);
            return new Change<>(list, tx.appendEvent(boardId, BoardEvent.LIST_CREATED, list.id(),
                    Map.of("list", list), now(), origin.connectionId()));
        });
    }

    public Task task(String taskId) {
        return task(taskId, Access.ALL);
    }

    /** The task, if its board is allowed ({@link ForbiddenException} otherwise). */
    public Task task(String taskId, Access access) {
        return store.read(tx -> {
            Task task = requireTask(tx, taskId);
            access.check(task.boardId());
            return task;
        });
    }

    public Change<Task> createTask(NewTask request, Origin origin) {
        return createTask(request, origin, Access.ALL);
    }

    /** Creates the task, if the list's board is allowed ({@link ForbiddenException} otherwise). */
    public Change<Task> createTask(NewTask request, Origin origin, Access access) {
        return createTask(request, origin, access, null).change();
    }

    /** {@link #createTask(NewTask, Origin, Access)} once for {@code key} (null: no key). */
    public Outcome<Task> createTask(NewTask request, Origin origin, Access access, IdempotencyKey key) {
        String listId = requireText("listId", request.listId(), Integer.MAX_VALUE);
        String title = requireText("title", request.title(), MAX_TITLE);
        String description = optionalText("description", request.description(), MAX_DESCRIPTION);
        Command command = Command.of(Command.Kind.CREATE_TASK, "listId", listId, "title", title, "description",
                description, "assigneeId", request.assigneeId());
        return run(command, key, origin, access, tx -> {
            TaskList list = tx.list(listId).orElseThrow(() -> new NotFoundException("List", listId));
            access.check(list.boardId());
            requireAssignee(tx, request.assigneeId());
            Instant now = now();
            Task task = new Task(tx.nextId("task"), list.boardId(), list.id(), title, description,
                    request.assigneeId(), tx.taskCount(list.id()), now, now);
            tx.insertTask(task);
            return new Change<>(task, tx.appendEvent(task.boardId(), BoardEvent.TASK_CREATED, task.id(),
                    Map.of("task", task), now, origin.connectionId()));
        });
    }

    public Change<Task> updateTask(String taskId, TaskPatch patch, Origin origin) {
        return updateTask(taskId, patch, origin, Access.ALL);
    }

    /** Changes the task, if its board is allowed ({@link ForbiddenException} otherwise). */
    public Change<Task> updateTask(String taskId, TaskPatch patch, Origin origin, Access access) {
        return updateTask(taskId, patch, origin, access, null).change();
    }

    /** {@link #updateTask(String, TaskPatch, Origin, Access)} once for {@code key} (null: no key). */
    public Outcome<Task> updateTask(String taskId, TaskPatch patch, Origin origin, Access access,
            IdempotencyKey key) {
        if (patch.isEmpty()) {
            throw new ValidationException("Nothing to update: give title, description or assigneeId");
        }
        String title = patch.title().present() ? requireText("title", patch.title().value(), MAX_TITLE) : null;
        String description = optionalText("description", patch.description().value(), MAX_DESCRIPTION);
        // of a partial update only the fields given, as they will be written
        List<Object> fields = new ArrayList<>(List.of("taskId", taskId));
        if (patch.title().present()) {
            fields.addAll(List.of("title", title));
        }
        if (patch.description().present()) {
            fields.addAll(List.of("description", description));
        }
        if (patch.assigneeId().present()) {
            fields.add("assigneeId");
            fields.add(patch.assigneeId().value());
        }
        Command command = Command.of(Command.Kind.UPDATE_TASK, fields.toArray());
        return run(command, key, origin, access, tx -> {
            Task current = requireTask(tx, taskId);
            access.check(current.boardId());
            String assigneeId = patch.assigneeId().orElse(current.assigneeId());
            requireAssignee(tx, assigneeId);
            Instant now = now();
            Task task = current.withContent(patch.title().present() ? title : current.title(),
                    patch.description().present() ? description : current.description(), assigneeId, now);
            tx.updateTask(task);
            return new Change<>(task, tx.appendEvent(task.boardId(), BoardEvent.TASK_UPDATED, task.id(),
                    Map.of("task", task), now, origin.connectionId()));
        });
    }

    public Change<Task> moveTask(String taskId, TaskMove move, Origin origin) {
        return moveTask(taskId, move, origin, Access.ALL);
    }

    /** Moves the task within its board, if that board is allowed ({@link ForbiddenException} otherwise). */
    public Change<Task> moveTask(String taskId, TaskMove move, Origin origin, Access access) {
        return moveTask(taskId, move, origin, access, null).change();
    }

    /** {@link #moveTask(String, TaskMove, Origin, Access)} once for {@code key} (null: no key). */
    public Outcome<Task> moveTask(String taskId, TaskMove move, Origin origin, Access access, IdempotencyKey key) {
        String listId = requireText("listId", move.listId(), Integer.MAX_VALUE);
        if (move.position() != null && move.position() < 0) {
            throw new ValidationException("position must be 0 or more");
        }
        Command command = Command.of(Command.Kind.MOVE_TASK, "taskId", taskId, "listId", listId, "position",
                move.position());
        return run(command, key, origin, access, tx -> {
            Task current = requireTask(tx, taskId);
            access.check(current.boardId());
            TaskList target = tx.list(listId).orElseThrow(() -> new NotFoundException("List", listId));
            if (!target.boardId().equals(current.boardId())) {
                throw new ValidationException("List " + listId + " is on another board than task " + taskId);
            }
            // the target's size without the moved task, counted before any renumbering
            int size = tx.taskCount(target.id()) - (target.id().equals(current.listId()) ? 1 : 0);
            tx.shiftPositions(current.listId(), current.position() + 1, -1);
            int position = move.position() == null ? size : Math.min(move.position(), size);
            tx.shiftPositions(target.id(), position, 1);
            Instant now = now();
            Task task = current.withPlace(target.id(), position, now);
            tx.updateTask(task);
            return new Change<>(task, tx.appendEvent(task.boardId(), BoardEvent.TASK_MOVED, task.id(),
                    Map.of("task", task), now, origin.connectionId()));
        });
    }

    public Change<String> deleteTask(String taskId, Origin origin) {
        return deleteTask(taskId, origin, Access.ALL);
    }

    /** Deletes the task, if its board is allowed ({@link ForbiddenException} otherwise). */
    public Change<String> deleteTask(String taskId, Origin origin, Access access) {
        return deleteTask(taskId, origin, access, null).change();
    }

    /**
     * {@link #deleteTask(String, Origin, Access)} once for {@code key} (null: no key): a retry is answered with the
     * first result even though the task is gone.
     */
    public Outcome<String> deleteTask(String taskId, Origin origin, Access access, IdempotencyKey key) {
        return run(Command.of(Command.Kind.DELETE_TASK, "taskId", taskId), key, origin, access, tx -> {
            Task task = requireTask(tx, taskId);
            access.check(task.boardId());
            tx.deleteTask(taskId);
            tx.shiftPositions(task.listId(), task.position() + 1, -1);
            return new Change<>(taskId, tx.appendEvent(task.boardId(), BoardEvent.TASK_DELETED, taskId,
                    Map.of("taskId", taskId), now(), origin.connectionId()));
        });
    }

    /**
     * Every task of the board when {@code since} is null; otherwise what changed at or after it. The answer's
     * timestamp is read in commit order, after every earlier change committed and before any later one runs,
     * so that asking again with it as {@code since} misses nothing.
     */
    public TaskUpdates updates(String boardId, Instant since) {
        return store.readAfterWrites(tx -> {
            Instant timestamp = now();
            requireBoard(tx, boardId);
            long seq = tx.lastSeq(boardId);
            if (since == null) {
                return new TaskUpdates(tx.tasks(boardId), List.of(), timestamp, seq, null);
            }
            if (trimmedSince(tx, boardId, since)) {
                // deletions before the kept log are forgotten: the answer would be incomplete
                return new TaskUpdates(List.of(), List.of(), timestamp, seq, snapshot(tx, boardId));
            }
            return new TaskUpdates(tx.tasksChangedSince(boardId, since), tx.tasksDeletedSince(boardId, since),
                    timestamp, seq, null);
        });
    }

    /** Whether retention has dropped events of the board that may be at or after {@code since}. */
    private static boolean trimmedSince(BoardTransaction tx, String boardId, Instant since) {
        long first = tx.firstSeq(boardId);
        if (first <= 1) {
            return false;
        }
        List<BoardEvent> oldest = tx.events(boardId, first - 1, 1);
        return !oldest.isEmpty() && !since.isAfter(oldest.get(0).at());
    }

    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * Runs the change in a write; once committed, publishes its event, then tells the origin. With a key, once
     * (see the class comment): {@code access} is checked again on the board of a result replayed.
     */
    private <T> Outcome<T> run(Command command, IdempotencyKey key, Origin origin, Access access,
            BoardStore.Work<Change<T>> work) {
        if (key == null) {
            Change<T> change = store.write(work, done -> committed(done, origin));
            return new Outcome<>(CommandResult.of(command, null, change, now()), change);
        }
        String fingerprint = command.fingerprint();
        return store.write(tx -> {
            Instant now = now();
            Optional<CommandResult> kept = tx.commandResult(key);
            if (kept.isPresent() && kept.get().liveAt(now)) {
                CommandResult first = kept.get();
                if (!first.fingerprint().equals(fingerprint)) {
                    throw new IdempotencyConflictException(key);
                }
                if (first.boardId() != null) {
                    access.check(first.boardId());
                }
                return Outcome.<T>replay(first);
            }
            if (kept.isPresent()) {
                tx.deleteCommandResult(key); // expired: the key starts afresh
            }
            Change<T> change = work.run(tx);
            CommandResult result = CommandResult.of(command, fingerprint, change, now);
            tx.insertCommandResult(key, result);
            tx.purgeCommandResults(now.minus(IdempotencyKey.LIFETIME), PURGE_LIMIT);
            return new Outcome<>(result, change);
        }, done -> {
            if (!done.replayed()) {
                committed(done.change(), origin);
            }
        });
    }

    /** A committed change: its event (if it caused one) is published, then its origin is told. */
    private void committed(Change<?> change, Origin origin) {
        if (change.event() != null) {
            publisher.accept(change.event());
            origin.onCommit().accept(change);
        }
    }

    private static Board requireBoard(BoardTransaction tx, String boardId) {
        return tx.board(boardId).orElseThrow(() -> new NotFoundException("Board", boardId));
    }

    private static Task requireTask(BoardTransaction tx, String taskId) {
        return tx.task(taskId).orElseThrow(() -> new NotFoundException("Task", taskId));
    }

    private static void requireAssignee(BoardTransaction tx, String assigneeId) {
        if (assigneeId != null && !tx.userExists(assigneeId)) {
            throw new NotFoundException("User", assigneeId);
        }
    }

    private static String requireText(String field, String value, int max) {
        if (value == null || value.isBlank()) {
            throw new ValidationException(field + " is required");
        }
        return checkLength(field, value.strip(), max);
    }

    private static String optionalText(String field, String value, int max) {
        return value == null ? "" : checkLength(field, value, max);
    }

    private static String checkLength(String field, String value, int max) {
        if (value.length() > max && value.codePointCount(0, value.length()) > max) {
            throw new ValidationException(field + " must be at most " + max + " characters");
        }
        return value;
    }
}
