// liveboard-client.js: the Liveboard client library. One dependency-free ES module (no DOM code, no build step)
// that keeps a page live on a board over the best transport it can get (WebSocket → SSE → long polling → short
// polling), resumes from the board's event number without losing or doubling an event, and sends changes
// optimistically, each with a key of its own so that a retry after a lost answer is applied once.
// Its API is the README's "JS client"; the protocol it speaks is the README's "Protocol".

/**
 * @typedef {Object} Task
 * @property {string} id
 * @property {string} boardId
 * @property {string} listId
 * @property {string} title
 * @property {string} description
 * @property {string|null} assigneeId
 * @property {number} position    0, 1, 2, … within its list
 * @property {string} createdAt   ISO-8601 UTC
 * @property {string} updatedAt   ISO-8601 UTC
 * @property {true} [pending]     set while an own change of the task is not yet confirmed
 */
/**
 * @typedef {Object} List
 * @property {string} id
 * @property {string} boardId
 * @property {string} name
 * @property {number} position
 * @property {Task[]} tasks       by position
 */
/**
 * A board as the page shows it: the server's state as of event `seq`, with the own changes not yet confirmed
 * applied on top. Read-only: a new object replaces it on every change.
 * @typedef {Object} BoardState
 * @property {string} id
 * @property {string} name
 * @property {string} [createdAt]
 * @property {number} seq         the last event applied
 * @property {string|null} epoch  the database's name (null until a transport has told it)
 * @property {List[]} lists       by position
 */
/** @typedef {{id: string, name: string, createdAt: string}} BoardSummary  an entry of GET /boards */
/** @typedef {"websocket"|"sse"|"longpoll"|"poll"} TransportName */
/**
 * @typedef {Object} Status
 * @property {TransportName} transport  the transport in use (or being tried)
 * @property {"connecting"|"live"|"offline"} state  live: every followed board is caught up and receiving;
 *   offline: the browser is offline, or the client stopped trying (auth error, close())
 * @property {number|null} retryAt  Date.now()-based time of the next attempt while waiting to retry
 * @property {{status?: number, code?: number, message: string}|null} error  the last failure (null once live)
 */
/** @typedef {{userId: string, name: string}} PresenceUser */
/** @typedef {{users: PresenceUser[], total: number}} Presence  users: in order of arrival (in a crowd the first 100) */
/** @typedef {{user: PresenceUser, typing: boolean, taskId?: string}} Typing — `taskId`: the card typed on, when the typist said */
/**
 * @typedef {Object} BoardEvent
 * @property {"task_created"|"task_updated"|"task_moved"|"task_deleted"|"list_created"} type
 * @property {string} boardId
 * @property {number} seq
 * @property {Task} [task]
 * @property {string} [taskId]
 * @property {List} [list]
 */
/**
 * @typedef {Object} Change  what made the state change
 * @property {"snapshot"|"event"|"resync"|"pending"|"confirmed"|"rolled_back"} kind
 * @property {BoardEvent} [event]  the event applied (event, and confirmed when the event was the own change's)
 * @property {boolean} own         caused by a command of this client
 * @property {string} [taskId]     the task concerned (its real id once confirmed)
 * @property {string} [tempId]     the temporary id of a created task ("tmp-…"), on its confirmed/rolled_back
 */
/**
 * @typedef {Object} ClientOptions
 * @property {string} [baseUrl]           default: location.origin
 * @property {string} [token]             sent on every transport (WS ?token=, SSE and REST Authorization: Bearer)
 * @property {TransportName[]} [transports] default ["websocket", "sse", "longpoll", "poll"], tried in this order
 * @property {number} [pingInterval]      ms between WebSocket {"type":"ping"} messages (20000)
 * @property {number} [silentTimeout]     ms without a message, heartbeat or answer before a connection is taken
 *                                        for dead (45000; also the longest a long poll may take)
 * @property {number} [connectTimeout]    ms a transport has to open (10000; also a short poll's timeout)
 * @property {number} [upgradeInterval]   ms (± 20 %) between tries of a better transport while on a lower one (30000)
 * @property {number} [pollInterval]      ms between short polls that found nothing (2000)
 * @property {number} [presenceInterval]  ms between presence reads on SSE and polling (10000)
 */

const TRANSPORTS = ["websocket", "sse", "longpoll", "poll"];
const EVENT_TYPES = new Set(["task_created", "task_updated", "task_moved", "task_deleted", "list_created"]);
const DEFAULTS = {
  pingInterval: 20_000,
  silentTimeout: 45_000,
  connectTimeout: 10_000,
  upgradeInterval: 30_000,
  pollInterval: 2_000,
  presenceInterval: 10_000,
};
/** Backoff: random(0, min(MAX, BASE · 2^attempt)). */
const BACKOFF_BASE = 500;
const BACKOFF_MAX = 30_000;
/** How long events are held back while an own command is in flight (so that its answer marks its event own). */
const HOLD_MS = 2_000;
/** How long a gap in the events may last before the missing ones are read over REST. */
const GAP_GRACE_MS = 250;
/** A long poll that is still waiting after this long has been accepted: the transport is live. */
const LONG_POLL_GRACE_MS = 1_000;
/** Typing is sent again at most this often while it lasts (the server forgets it after 5 s). */
const TYPING_REPEAT_MS = 2_000;
const PRESENCE_PAGE = 100;
/** WebSocket command errors worth sending again (with the same key) rather than rolling back. */
const RETRYABLE_ERRORS = new Set(["Rate limit exceeded", "Storage is unavailable, try again"]);

/** An error of the server or of the connection: `status` is the HTTP status (or the WebSocket close code). */
export class LiveboardError extends Error {
  /**
   * @param {string} message
   * @param {number} [status]
   * @param {number} [code]  a WebSocket close code, when one said it
   */
  constructor(message, status, code) {
    super(message);
    this.name = "LiveboardError";
    if (status !== undefined) this.status = status;
    if (code !== undefined) this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Listeners: each one is called in a try/catch, so that one that throws does not keep the others from running.

const listenerMaps = new WeakMap();

class Emitter {
  constructor() {
    listenerMaps.set(this, new Map());
  }

  /**
   * Calls `listener` on every `type` from now on.
   * @param {string} type
   * @param {Function} listener
   * @returns {() => void} a function that removes the listener
   */
  on(type, listener) {
    const map = listenerMaps.get(this);
    if (!map.has(type)) map.set(type, new Set());
    map.get(type).add(listener);
    return () => this.off(type, listener);
  }

  /** Removes a listener added with `on`. */
  off(type, listener) {
    listenerMaps.get(this).get(type)?.delete(listener);
  }
}

function emit(target, type, ...args) {
  const set = listenerMaps.get(target)?.get(type);
  if (!set) return;
  for (const listener of [...set]) {
    try {
      listener(...args);
    } catch (e) {
      console.error(e);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The board's state: pure functions from a state to a new one (unchanged parts shared), as the server computes it.

const byPosition = (a, b) => a.position - b.position;

/** A board as GET /boards/{id} or a resync gives it, lists and tasks in position order. */
function fromSnapshot(board, seq, epoch) {
  return {
    id: board.id,
    name: board.name,
    createdAt: board.createdAt,
    seq,
    epoch: epoch ?? null,
    lists: [...(board.lists ?? [])].sort(byPosition).map((list) => ({
      id: list.id,
      boardId: list.boardId ?? board.id,
      name: list.name,
      position: list.position,
      tasks: [...(list.tasks ?? [])].sort(byPosition),
    })),
  };
}

function renumber(tasks) {
  return tasks.map((task, i) => (task.position === i ? task : { ...task, position: i }));
}

function findTask(state, taskId) {
  for (const list of state.lists) {
    const index = list.tasks.findIndex((task) => task.id === taskId);
    if (index >= 0) return { list, index, task: list.tasks[index] };
  }
  return null;
}

function withList(state, listId, change) {
  return { ...state, lists: state.lists.map((list) => (list.id === listId ? change(list) : list)) };
}

function removeTask(state, taskId) {
  const found = findTask(state, taskId);
  if (!found) return state;
  return withList(state, found.list.id, (list) => ({
    ...list,
    tasks: renumber(list.tasks.filter((task) => task.id !== taskId)),
  }));
}

/** Inserts `task` into its list at `position` (clamped; Infinity: the end); others shift. */
function insertTask(state, task, position) {
  if (!state.lists.some((list) => list.id === task.listId)) return state;
  return withList(state, task.listId, (list) => {
    const tasks = [...list.tasks];
    tasks.splice(Math.max(0, Math.min(position ?? Infinity, tasks.length)), 0, task);
    return { ...list, tasks: renumber(tasks) };
  });
}

/** The task where the event puts it: out of wherever it was, into its list at its position. */
function placeTask(state, task) {
  return insertTask(removeTask(state, task.id), task, task.position);
}

/** The state after one board event (which is the next one: `event.seq` = state.seq + 1). */
function applyEvent(state, event) {
  let next = state;
  switch (event.type) {
    case "task_created":
    case "task_updated":
    case "task_moved":
      next = placeTask(state, event.task);
      break;
    case "task_deleted":
      next = removeTask(state, event.taskId);
      break;
    case "list_created":
      if (!state.lists.some((list) => list.id === event.list.id)) {
        next = { ...state, lists: [...state.lists, { ...event.list, tasks: [] }].sort(byPosition) };
      }
      break;
    default:
      break; // a type this version does not know: its number still counts
  }
  return { ...next, seq: event.seq };
}

function taskIdOf(event) {
  return event.task?.id ?? event.taskId;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers.

function newKey() {
  if (globalThis.crypto?.randomUUID) {
    try {
      return globalThis.crypto.randomUUID(); // only in secure contexts (https, localhost)
    } catch {
      // fall through
    }
  }
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function backoff(attempt) {
  return Math.random() * Math.min(BACKOFF_MAX, BACKOFF_BASE * 2 ** Math.min(attempt, 16));
}

function boardPath(boardId, rest = "") {
  return `/boards/${encodeURIComponent(boardId)}${rest}`;
}

/** The status a WebSocket error message would have had over HTTP. */
function statusOfMessage(message) {
  if (message === "Unauthorized" || message === "Token expired") return 401;
  if (message === "Forbidden") return 403;
  if (/not found/i.test(message)) return 404;
  if (message === "Rate limit exceeded") return 429;
  if (message === "Storage is unavailable, try again") return 503;
  if (/already used for a different request/.test(message)) return 422;
  return 400;
}

/**
 * What an HTTP refusal on a transport's route means: the token (auth), the board (board: 403 Forbidden or 404
 * Board not found), or the transport itself (turned off: 404; broken: 5xx; anything else).
 */
function classifyHttp(res) {
  const failure = { status: res.status, message: res.error };
  if (res.status === 401) return { ...failure, auth: true };
  if ((res.status === 403 && res.error === "Forbidden") || (res.status === 404 && /^Board not found/.test(res.error))) {
    return { ...failure, board: true };
  }
  return { ...failure, refused: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Commands: an own change, applied at once on top of the state, sent (again, with the same key, until answered),
// confirmed once its event is in the state, or rolled back.

const COMMANDS = {
  create: { type: "create_task", event: "task_created", method: "POST" },
  update: { type: "update_task", event: "task_updated", method: "PATCH" },
  move: { type: "move_task", event: "task_moved", method: "PATCH" },
  delete: { type: "delete_task", event: "task_deleted", method: "DELETE" },
};

let tempCounter = 0;
let refCounter = 0;

class Command {
  /**
   * @param {"create"|"update"|"move"|"delete"} kind
   * @param {string|null} taskId  the task (maybe a temporary id), null for create
   * @param {Object} body         the fields as the server takes them
   */
  constructor(kind, taskId, body) {
    this.kind = kind;
    this.taskId = taskId;
    this.body = body;
    this.key = newKey();
    this.tempId = kind === "create" ? `tmp-${++tempCounter}-${this.key.slice(0, 8)}` : null;
    /** queued (to send), sent (in flight), answered (waiting for its event to be in the state) */
    this.state = "queued";
    this.via = null;
    this.sentAt = 0;
    this.notBefore = 0;
    this.attempts = 0;
    this.seq = null;
    this.result = undefined;
    this.boardId = null;
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // a page that fires and forgets still sees the rollback in the state; no "uncaught (in promise)" for it
    this.promise.catch(() => {});
  }

  /** The state with this change on top (tasks it touches marked pending). */
  applyTo(state, find, now) {
    switch (this.kind) {
      case "create": {
        const task = {
          id: this.tempId,
          boardId: state.id,
          listId: this.body.listId,
          title: typeof this.body.title === "string" ? this.body.title.trim() : "",
          description: this.body.description ?? "",
          assigneeId: this.body.assigneeId ?? null,
          position: 0,
          createdAt: now,
          updatedAt: now,
          pending: true,
        };
        return insertTask(state, task, Infinity);
      }
      case "update": {
        const found = find(state, this.taskId);
        if (!found) return state;
        const patch = { ...this.body };
        if (typeof patch.title === "string") patch.title = patch.title.trim();
        return withList(state, found.list.id, (list) => ({
          ...list,
          tasks: list.tasks.map((task, i) => (i === found.index ? { ...task, ...patch, pending: true } : task)),
        }));
      }
      case "move": {
        const found = find(state, this.taskId);
        if (!found || !state.lists.some((list) => list.id === this.body.listId)) return state;
        return insertTask(removeTask(state, found.task.id), { ...found.task, listId: this.body.listId, pending: true },
          this.body.position ?? Infinity);
      }
      case "delete": {
        const found = find(state, this.taskId);
        return found ? removeTask(state, found.task.id) : state;
      }
      default:
        return state;
    }
  }

  /** The event the answer stands for (the ack takes the event's place; a REST answer carries the same). */
  eventOf(boardId, seq, result, taskId) {
    const event = { type: COMMANDS[this.kind].event, boardId, seq };
    if (this.kind === "delete") event.taskId = taskId;
    else event.task = result;
    return event;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A followed board: its confirmed state and cursor (epoch, seq), the events that arrived early, its commands and
// presence. Every transport hands it what it receives; it applies each event once, in seq order.

class BoardCore {
  constructor(id, link, facade) {
    this.id = id;
    this.link = link;
    this.facade = facade;
    /** @type {BoardState|null} the server's state as of the last event applied */
    this.confirmed = null;
    /** @type {BoardState|null} confirmed + own pending changes */
    this.visible = null;
    /** @type {Presence|null} */
    this.presence = null;
    this.epoch = null;
    /** @type {Command[]} */
    this.commands = [];
    /** temporary id → real id of created tasks */
    this.realIds = new Map();
    /** seq → {event, command?}: events that came before their turn (or while held) */
    this.buffer = new Map();
    this.holdTimer = null;
    this.gapTimer = null;
    this.filling = false;
    this.loading = false;
    this.loadAttempt = 0;
    this.restBusy = false;
    this.retryTimer = null;
    this.closed = false;
    this.timers = new Set();
    this.presenceAsked = 0;
    /** the seq the board should reach (a `joined`, a gap): see expect() */
    this.expected = 0;
    this.typingOn = false;
    this.typingTaskId = undefined;
    this.typingSentAt = 0;
  }

  get cursor() {
    return this.confirmed ? this.confirmed.seq : 0;
  }

  /** Where a transport resumes from: the cursor, and past it the events already here in a row. */
  resumeFrom() {
    let seq = this.cursor;
    while (this.buffer.has(seq + 1)) seq++;
    return seq;
  }

  later(fn, ms) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  cancel(timer) {
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(timer);
    }
  }

  /** GET /boards/{id}: the snapshot to start from (again after a network failure, with backoff). */
  async load() {
    if (this.loading || this.confirmed || this.closed) return;
    this.loading = true;
    let res;
    try {
      res = await this.link.request("GET", boardPath(this.id));
    } catch {
      res = null;
    }
    this.loading = false;
    if (this.closed || this.confirmed) return;
    if (res?.ok) {
      this.loadAttempt = 0;
      this.confirmed = fromSnapshot(res.json, res.json.seq ?? 0, this.epoch);
      this.render({ kind: "snapshot", own: false });
      this.link.ready(this);
      return;
    }
    if (res) {
      const failure = classifyHttp(res);
      if (failure.auth) return this.link.authFailed(failure); // loaded again after setToken
      if (failure.board) return this.link.boardFailed(this, failure);
    }
    this.later(() => this.load(), backoff(this.loadAttempt++));
  }

  setEpoch(epoch) {
    if (!epoch || epoch === this.epoch) return;
    this.epoch = epoch;
    if (this.confirmed) this.confirmed = { ...this.confirmed, epoch };
    if (this.visible) this.visible = { ...this.visible, epoch };
  }

  // --- events -------------------------------------------------------------------------------------------------

  /** A board event from a transport (any order, any number of times). */
  receive(event) {
    if (!this.confirmed || this.closed || typeof event.seq !== "number" || event.seq <= this.cursor) return;
    const entry = this.buffer.get(event.seq);
    if (entry) entry.event = event; // keep the command an answer put there
    else this.buffer.set(event.seq, { event });
    this.drain();
  }

  /** The whole board as of `message.seq` replaces the state. */
  resync(message) {
    if (!this.confirmed || this.closed) return;
    this.setEpoch(message.epoch);
    this.confirmed = fromSnapshot(message.board, message.seq, this.epoch);
    this.expected = 0; // numbers expected before (maybe of another database) no longer stand
    for (const seq of [...this.buffer.keys()]) if (seq <= message.seq) this.buffer.delete(seq);
    this.settle(); // own changes answered at or before seq are in this board
    this.render({ kind: "resync", own: false });
    this.link.progress(this);
    this.drain();
  }

  /** Until when events wait for the answer of an own command in flight (0: they need not). */
  holdUntil() {
    let until = 0;
    for (const command of this.commands) {
      if (command.state === "sent") until = Math.max(until, command.sentAt + HOLD_MS);
    }
    return until > Date.now() ? until : 0;
  }

  /**
   * Applies the events whose turn it is. While an own command is in flight they wait for its answer (at most
   * HOLD_MS from its sending), so that its event is known as the client's own when it is applied.
   */
  drain(force = false) {
    if (this.filling || this.closed) return;
    const until = force || this.buffer.size === 0 ? 0 : this.holdUntil();
    if (until) {
      if (!this.holdTimer) this.holdTimer = this.later(() => {
        this.holdTimer = null;
        this.drain();
      }, until - Date.now());
      return;
    }
    this.cancel(this.holdTimer);
    this.holdTimer = null;
    let applied = false;
    while (this.buffer.has(this.cursor + 1)) {
      const entry = this.buffer.get(this.cursor + 1);
      this.buffer.delete(this.cursor + 1);
      this.apply(entry);
      applied = true;
    }
    for (const seq of [...this.buffer.keys()]) if (seq <= this.cursor) this.buffer.delete(seq);
    if (applied) this.link.progress(this);
    if (this.buffer.size > 0) this.expect(Math.max(...this.buffer.keys()));
  }

  apply(entry) {
    const { event } = entry;
    this.confirmed = applyEvent(this.confirmed, event);
    const settled = this.settle();
    const mine = entry.command ?? settled.find((command) => command.seq === event.seq);
    emit(this.facade, "event", event);
    if (mine) {
      this.render({ kind: "confirmed", event, own: true, taskId: taskIdOf(event), ...(mine.tempId ? { tempId: mine.tempId } : {}) });
    } else {
      this.render({ kind: "event", event, own: false, taskId: taskIdOf(event) });
    }
  }

  /**
   * The board should reach `seq`: if the events up to it are not here shortly (nor coming in: a long replay),
   * the missing ones are read over REST.
   */
  expect(seq) {
    this.expected = Math.max(this.expected ?? 0, seq);
    if (this.expected <= this.resumeFrom() || this.gapTimer) return; // events held back are here: no gap
    const mark = this.resumeFrom();
    this.gapTimer = this.later(() => {
      this.gapTimer = null;
      const reached = this.resumeFrom();
      if (reached >= this.expected) return;
      if (reached > mark) this.expect(this.expected); // still coming in
      else this.fillGap(this.expected);
    }, GAP_GRACE_MS);
  }

  /** Reads the events after the cursor (GET /updates?after=), or the whole board when that route is off. */
  async fillGap(target) {
    if (this.filling || this.closed || !this.confirmed) return;
    this.filling = true;
    let ok = true;
    try {
      for (let more = true; more && !this.closed;) {
        const epoch = this.epoch ? `&epoch=${encodeURIComponent(this.epoch)}` : "";
        const res = await this.link.request("GET", boardPath(this.id, `/updates?after=${this.cursor}${epoch}`));
        if (this.closed) break;
        if (res.ok) {
          this.setEpoch(res.json.epoch);
          if (res.json.resync) this.resync(res.json.resync);
          for (const event of res.json.events ?? []) {
            if (event.seq !== this.cursor + 1) continue;
            const entry = this.buffer.get(event.seq);
            this.buffer.delete(event.seq);
            this.apply({ event, command: entry?.command });
          }
          more = res.json.more === true;
          continue;
        }
        const failure = classifyHttp(res);
        if (failure.auth || failure.board) {
          ok = false;
          if (failure.auth) this.link.authFailed(failure);
          else this.link.boardFailed(this, failure);
          break;
        }
        const board = await this.link.request("GET", boardPath(this.id)); // polling is turned off: read the board
        if (this.closed) break;
        if (!board.ok) throw new LiveboardError(board.error, board.status);
        if (board.json.seq > this.cursor) this.resync({ seq: board.json.seq, epoch: this.epoch, board: board.json });
        more = false;
      }
    } catch {
      ok = false;
    } finally {
      this.filling = false;
    }
    if (this.closed) return;
    const done = ok ? this.settle(true) : [];
    if (done.length) this.render({ kind: "confirmed", own: true, taskId: done[0].result?.id ?? done[0].taskId });
    this.link.progress(this);
    if (!ok && target > this.cursor) this.later(() => this.fillGap(target), 1_000);
    else this.drain(true);
  }

  // --- commands -----------------------------------------------------------------------------------------------

  command(kind, taskId, body) {
    const command = new Command(kind, taskId, body);
    if (this.closed) {
      command.reject(new LiveboardError("The board is closed"));
      return command.promise;
    }
    this.commands.push(command);
    this.render({ kind: "pending", own: true, taskId: command.tempId ?? taskId });
    this.link.flush();
    return command.promise;
  }

  /** The task's id as the server knows it, or null while it is a temporary id of a create not yet answered. */
  serverId(taskId) {
    if (!taskId?.startsWith("tmp-")) return taskId;
    if (this.realIds.has(taskId)) return this.realIds.get(taskId);
    const creating = this.commands.find((command) => command.tempId === taskId);
    return creating ? null : taskId; // not one of ours: the server will say
  }

  /** Sends what can be sent now: over `transport` if it carries commands (WebSocket), else over REST, one at a time. */
  flush(transport) {
    if (this.closed || !this.confirmed || !transport?.isOpen) return;
    const now = Date.now();
    for (const command of this.commands) {
      if (command.state !== "queued") continue;
      if (command.notBefore > now) {
        if (!this.retryTimer) this.retryTimer = this.later(() => {
          this.retryTimer = null;
          this.link.flush();
        }, command.notBefore - now);
        continue;
      }
      const taskId = command.taskId === null ? null : this.serverId(command.taskId);
      if (command.taskId !== null && taskId === null) continue; // waits for its create's answer
      if (transport.sendCommand) {
        transport.sendCommand(this, command, taskId);
      } else if (!this.restBusy) {
        this.sendRest(command, taskId);
      }
    }
  }

  async sendRest(command, taskId) {
    this.restBusy = true;
    command.state = "sent";
    command.via = "rest";
    command.sentAt = Date.now();
    command.attempts++;
    const { method } = COMMANDS[command.kind];
    const path = command.kind === "create" ? "/tasks"
      : `/tasks/${encodeURIComponent(taskId)}${command.kind === "move" ? "/move" : ""}`;
    let res = null;
    try {
      res = await this.link.request(method, path, {
        body: command.kind === "delete" ? undefined : command.body,
        headers: { "Idempotency-Key": command.key },
      });
    } catch {
      res = null;
    }
    this.restBusy = false;
    if (this.closed || command.state !== "sent") return;
    if (res?.ok) {
      const seq = Number.parseInt(res.headers.get("Liveboard-Seq") ?? "", 10);
      const result = command.kind === "delete" ? undefined : res.json;
      this.answered(command, Number.isNaN(seq) ? null : seq, result, result?.boardId ?? this.id, taskId);
    } else if (res && res.status === 401) {
      command.state = "queued";
      this.link.authFailed(classifyHttp(res));
    } else if (!res || res.status >= 500 || res.status === 429 || res.status === 408) {
      this.retryLater(command); // lost on the way, or the server could not: the same key again
    } else {
      this.failed(command, new LiveboardError(res.error, res.status));
    }
    this.link.flush();
  }

  retryLater(command) {
    command.state = "queued";
    command.via = null;
    command.notBefore = Date.now() + backoff(command.attempts);
    this.drain();
  }

  retryNow() {
    for (const command of this.commands) command.notBefore = 0;
  }

  /** A command sent over a transport that is gone: it goes again, with the same key, once one is live. */
  requeue(command) {
    if (command.state !== "sent") return;
    command.state = "queued";
    command.via = null;
  }

  /**
   * The server's answer: the change is event `seq` (null: unknown, read the events to find it). It is confirmed
   * once that event is in the state: applied from the answer itself when its turn comes, or already there.
   */
  answered(command, seq, result, boardId, taskId) {
    if (command.state === "answered" || this.closed) return;
    command.state = "answered";
    command.seq = seq;
    command.result = result;
    command.boardId = boardId;
    if (command.kind === "create" && result?.id) this.realIds.set(command.tempId, result.id);
    if (boardId !== this.id) {
      command.seq = -1; // the change went to another board: nothing to wait for here
    } else if (seq === null) {
      this.fillGap(Infinity);
    } else if (seq > this.cursor) {
      const entry = this.buffer.get(seq);
      if (entry) entry.command = command;
      else this.buffer.set(seq, { event: command.eventOf(boardId, seq, result, taskId), command });
    }
    if (!this.settle().length) this.drain();
    else this.render({ kind: "confirmed", own: true, taskId: result?.id ?? taskId, ...(command.tempId ? { tempId: command.tempId } : {}) });
    this.link.flush();
  }

  /** Confirms the answered commands whose event is in the state; `all`: those of unknown seq too (after a read). */
  settle(all = false) {
    const done = this.commands.filter((command) => command.state === "answered"
      && (command.seq === null ? all : command.seq <= this.cursor));
    if (!done.length) return done;
    this.commands = this.commands.filter((command) => !done.includes(command));
    for (const command of done) command.resolve(command.result);
    return done;
  }

  failed(command, error) {
    if (!this.commands.includes(command)) return;
    const dependents = command.tempId ? this.commands.filter((other) => other.taskId === command.tempId) : [];
    this.commands = this.commands.filter((other) => other !== command && !dependents.includes(other));
    command.reject(error);
    for (const other of dependents) {
      other.reject(new LiveboardError(`The task was not created: ${error.message}`, error.status));
    }
    this.render({ kind: "rolled_back", own: true, taskId: command.tempId ?? command.taskId,
      ...(command.tempId ? { tempId: command.tempId } : {}) });
    this.drain();
  }

  /** An error the server sent for a command over the WebSocket. */
  commandError(command, message) {
    if (RETRYABLE_ERRORS.has(message)) this.retryLater(command);
    else this.failed(command, new LiveboardError(message, statusOfMessage(message)));
    this.link.flush();
  }

  // --- rendering, presence, typing ----------------------------------------------------------------------------

  /** Recomputes the visible state (confirmed + pending own changes) and tells the listeners. */
  render(change) {
    if (!this.confirmed) return;
    const find = (state, id) => findTask(state, id) ?? (this.realIds.has(id) ? findTask(state, this.realIds.get(id)) : null);
    const now = new Date().toISOString();
    let state = this.confirmed;
    for (const command of this.commands) state = command.applyTo(state, find, now);
    this.visible = state;
    emit(this.facade, "state", state, change);
  }

  setPresence(users, total) {
    const next = { users: [...users], total: Math.max(total ?? users.length, users.length) };
    if (JSON.stringify(next) === JSON.stringify(this.presence)) return;
    this.presence = next;
    emit(this.facade, "presence", next);
  }

  userJoined(user) {
    const current = this.presence ?? { users: [], total: 0 };
    if (current.users.some((u) => u.userId === user.userId)) return;
    const complete = current.users.length >= current.total;
    this.setPresence(complete ? [...current.users, user] : current.users, current.total + 1);
  }

  userLeft(user) {
    const current = this.presence ?? { users: [], total: 0 };
    const users = current.users.filter((u) => u.userId !== user.userId);
    this.setPresence(users, Math.max(users.length, current.total - 1));
  }

  /** GET /boards/{id}/presence (the first 100 users and the total). */
  async readPresence() {
    const asked = ++this.presenceAsked;
    let res;
    try {
      res = await this.link.request("GET", boardPath(this.id, `/presence?limit=${PRESENCE_PAGE}`));
    } catch {
      return;
    }
    if (this.closed || asked !== this.presenceAsked) return;
    if (res.ok) this.setPresence(res.json.users ?? [], res.json.total);
    else if (res.status === 401) this.link.authFailed(classifyHttp(res));
  }

  typing(on, taskId) {
    const now = Date.now();
    const sameTask = taskId === this.typingTaskId;
    if (on && this.typingOn && sameTask && now - this.typingSentAt < TYPING_REPEAT_MS) return;
    if (!on && !this.typingOn) return;
    if (this.link.typing(this, on, taskId)) {
      this.typingOn = on;
      this.typingTaskId = on ? taskId : undefined;
      this.typingSentAt = now;
    }
  }

  /** Stops following: timers off, commands not yet confirmed rejected with `error`. */
  close(error) {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const command of this.commands) command.reject(error);
    this.commands = [];
    this.buffer.clear();
  }
}

/**
 * A followed board. `state` and `presence` are its current values (null before the first snapshot); listen with
 * `on("state" | "event" | "presence" | "typing" | "error", listener)`.
 */
class Board extends Emitter {
  #core;

  /** @internal made by LiveboardClient.board() */
  constructor(id, link) {
    super();
    this.#core = new BoardCore(id, link, this);
    link.cores.set(this, this.#core);
  }

  /** @returns {string} */
  get id() {
    return this.#core.id;
  }

  /** @returns {BoardState|null} */
  get state() {
    return this.#core.visible;
  }

  /** @returns {Presence|null} */
  get presence() {
    return this.#core.presence;
  }

  /**
   * @param {{listId: string, title: string, description?: string, assigneeId?: string|null}} task
   * @returns {Promise<Task>} the task as created, once its event is in `state`
   */
  createTask({ listId, title, description, assigneeId } = {}) {
    return this.#core.command("create", null, defined({ listId, title, description, assigneeId }));
  }

  /**
   * @param {string} taskId
   * @param {{title?: string, description?: string, assigneeId?: string|null}} fields  only those given change
   * @returns {Promise<Task>}
   */
  updateTask(taskId, { title, description, assigneeId } = {}) {
    return this.#core.command("update", taskId, defined({ title, description, assigneeId }));
  }

  /**
   * @param {string} taskId
   * @param {{listId: string, position?: number}} to  position: default the end
   * @returns {Promise<Task>}
   */
  moveTask(taskId, { listId, position } = {}) {
    return this.#core.command("move", taskId, defined({ listId, position }));
  }

  /**
   * @param {string} taskId
   * @returns {Promise<void>}
   */
  deleteTask(taskId) {
    return this.#core.command("delete", taskId, {});
  }

  /**
   * Tells the others that this user is typing (true) or stopped (false), on the card `taskId` if given (their
   * `typing` event carries it). WebSocket only; a no-op elsewhere.
   * @param {boolean} on
   * @param {{taskId?: string}} [where]
   */
  typing(on, { taskId } = {}) {
    this.#core.typing(Boolean(on), typeof taskId === "string" && !taskId.startsWith("tmp-") ? taskId : undefined);
  }

  /** Stops following the board (leaves its room); its own changes not yet confirmed are rejected. */
  close() {
    this.#core.link.closeBoard(this.#core, new LiveboardError("The board was closed"));
  }
}

function defined(fields) {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

// ---------------------------------------------------------------------------------------------------------------
// Transports. Each carries every followed board (attach/detach) and reports to the client through `link`:
// opened (it connected), live (a board is caught up on it), failed ({refused} before it opened, {auth}, or lost).

/**
 * What every transport shares: its state (opened, stopped), its timers, and how it ends — `fail` stops it and tells
 * the client why; `stop` clears its timers and has the transport let go of its connections (`release`).
 */
class Transport {
  constructor(link, name) {
    this.name = name;
    this.link = link;
    this.options = link.options;
    this.opened = false;
    this.stopped = false;
    this.timers = [];
  }

  get isOpen() {
    return this.opened && !this.stopped;
  }

  fail(failure) {
    if (this.stopped) return;
    this.stop();
    this.link.failed(this, failure);
  }

  stop() {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
      clearInterval(timer);
    }
    this.release();
  }

  /** Lets go of the transport's connections and requests; called once, by `stop`. */
  release() {}
}

/** The WebSocket: one socket for every board, commands with ref + idempotencyKey, presence and typing. */
class WsTransport extends Transport {
  constructor(link) {
    super(link, "websocket");
    /** boardId → {core, joinedSeq, live} */
    this.rooms = new Map();
    /** ref → {core, command} */
    this.sent = new Map();
  }

  isLive(core) {
    return this.isOpen && this.rooms.get(core.id)?.live === true;
  }

  start(cores) {
    for (const core of cores) this.rooms.set(core.id, { core, joinedSeq: null, live: false });
    const url = new URL("/ws", this.options.baseUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const token = this.link.token();
    if (token) url.searchParams.set("token", token);
    try {
      this.ws = new WebSocket(url.href);
    } catch (e) {
      setTimeout(() => this.fail({ refused: true, message: String(e?.message ?? e) }), 0);
      return;
    }
    this.lastSeen = Date.now();
    this.timers.push(setTimeout(() => {
      if (!this.opened) this.fail({ refused: true, message: "The WebSocket did not open" });
    }, this.options.connectTimeout));
    this.ws.onmessage = (e) => this.message(e.data);
    this.ws.onclose = (e) => {
      if (e.code === 4001) {
        this.fail({ auth: true, status: 401, code: 4001, message: e.reason || "Unauthorized" });
      } else {
        this.fail({ refused: !this.opened, code: e.code,
          message: e.reason || (this.opened ? "The WebSocket closed" : "The WebSocket could not connect") });
      }
    };
  }

  message(data) {
    if (this.stopped) return;
    this.lastSeen = Date.now();
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (msg === null || typeof msg !== "object") return;
    if (msg.error !== undefined) return this.error(msg);
    const room = msg.boardId !== undefined ? this.rooms.get(msg.boardId) : undefined;
    const core = room?.core;
    switch (msg.type) {
      case "connected":
        return this.connected();
      case "joined":
        if (!room) return;
        core.setEpoch(msg.epoch);
        room.joinedSeq = msg.seq;
        core.expect(msg.seq);
        return this.progress(core);
      case "presence":
        return core?.setPresence(msg.users ?? [], msg.total);
      case "user_joined":
        return core?.userJoined(msg.user);
      case "user_left":
        return core?.userLeft(msg.user);
      case "presence_changed":
        return core?.readPresence();
      case "user_typing":
        return core && emit(core.facade, "typing", defined({ user: msg.user, typing: msg.typing === true, taskId: msg.taskId }));
      case "resync":
        return core?.resync(msg);
      case "left":
        // not our leave (the room is gone from here before we send it): a renewed token no longer allows it
        return core && this.link.boardFailed(core, { status: 403, message: "Forbidden" });
      case "ack":
        return this.ack(msg);
      default:
        if (core && EVENT_TYPES.has(msg.type)) core.receive(msg);
    }
  }

  connected() {
    if (this.opened) return;
    this.opened = true;
    this.timers.push(setInterval(() => this.send({ type: "ping" }), this.options.pingInterval));
    this.timers.push(setInterval(() => {
      if (Date.now() - this.lastSeen > this.options.silentTimeout) {
        this.fail({ refused: false, message: "No message from the server: the connection is dead" });
      }
    }, Math.min(5_000, this.options.silentTimeout / 3)));
    for (const room of this.rooms.values()) this.join(room.core);
    this.link.opened(this); // sends the commands waiting, right behind the joins: their answers come before the replay is applied
  }

  join(core) {
    const join = { type: "join", boardId: core.id, since: core.resumeFrom(), ref: `join:${core.id}` };
    if (core.epoch) join.epoch = core.epoch;
    this.send(join);
  }

  /** A board is caught up once the events up to the `joined` seq are in its state. */
  progress(core) {
    const room = this.rooms.get(core.id);
    if (!room || room.live || room.joinedSeq === null || core.cursor < room.joinedSeq) return;
    room.live = true;
    this.link.live(this, core);
  }

  ack(msg) {
    const entry = this.sent.get(msg.ref);
    if (!entry) return;
    this.sent.delete(msg.ref);
    const { core, command } = entry;
    if (command.via !== this) return;
    core.answered(command, msg.seq, msg.task, msg.boardId, msg.taskId ?? entry.taskId);
  }

  error(msg) {
    const ref = msg.ref;
    if (typeof ref === "string" && ref.startsWith("join:")) {
      const room = this.rooms.get(ref.slice(5));
      if (room) this.link.boardFailed(room.core, { status: statusOfMessage(msg.error), message: msg.error });
      return;
    }
    const entry = this.sent.get(ref);
    if (entry) {
      this.sent.delete(ref);
      if (entry.command.via === this) entry.core.commandError(entry.command, msg.error);
      return;
    }
    if (msg.error === "The token is for another user") {
      this.fail({ refused: false, message: msg.error }); // a new socket, with the new token
    }
    // anything else without a ref (Unauthorized comes with a 4001 close) needs no action
  }

  attach(core) {
    if (this.rooms.has(core.id)) return;
    this.rooms.set(core.id, { core, joinedSeq: null, live: false });
    if (this.opened) this.join(core);
  }

  detach(core) {
    if (!this.rooms.delete(core.id)) return;
    if (this.isOpen) this.send({ type: "leave", boardId: core.id });
  }

  sendCommand(core, command, taskId) {
    const ref = `c${++refCounter}`;
    const msg = { type: COMMANDS[command.kind].type, ...command.body, ref, idempotencyKey: command.key };
    if (taskId !== null) msg.taskId = taskId;
    if (!this.send(msg)) return;
    command.state = "sent";
    command.via = this;
    command.sentAt = Date.now();
    command.attempts++;
    this.sent.set(ref, { core, command, taskId });
  }

  typing(core, on, taskId) {
    return this.rooms.has(core.id) && this.send(on ? defined({ type: "typing", boardId: core.id, taskId }) : { type: "stop_typing", boardId: core.id });
  }

  renew(token) {
    this.send({ type: "auth", token });
  }

  send(msg) {
    if (!this.isOpen || this.ws.readyState !== WebSocket.OPEN) return false;
    try {
      this.ws.send(JSON.stringify(msg));
      return true;
    } catch {
      return false;
    }
  }

  release() {
    for (const { core, command } of this.sent.values()) if (command.via === this) core.requeue(command);
    this.sent.clear();
    const ws = this.ws;
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      // closing a socket still connecting would have the browser log an error: close it once it opens instead
      if (ws.readyState === WebSocket.CONNECTING) ws.onopen = () => ws.close(1000);
      else if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    }
  }
}

/** Presence on the transports that have no presence messages: GET /boards/{id}/presence now and then. */
class PresenceReader {
  constructor(interval) {
    this.interval = interval;
    this.timers = new Map();
  }

  start(core) {
    if (this.timers.has(core.id)) return;
    core.readPresence();
    this.timers.set(core.id, setInterval(() => core.readPresence(), this.interval));
  }

  stop(core) {
    clearInterval(this.timers.get(core.id));
    this.timers.delete(core.id);
  }

  stopAll() {
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
  }
}

/**
 * Server-Sent Events read with fetch (so that the token goes as a header, Last-Event-ID is ours to set, and the
 * heartbeats are seen): one stream per board, GET /boards/{id}/events.
 */
class SseTransport extends Transport {
  constructor(link) {
    super(link, "sse");
    /** boardId → {core, controller, live, lastSeen} */
    this.streams = new Map();
    this.presence = new PresenceReader(this.options.presenceInterval);
  }

  isLive(core) {
    return this.isOpen && this.streams.get(core.id)?.live === true;
  }

  start(cores) {
    this.timers.push(setInterval(() => {
      const now = Date.now();
      for (const stream of this.streams.values()) {
        if (now - stream.lastSeen > this.options.silentTimeout) {
          this.fail({ refused: !stream.live, message: "No heartbeat from the server: the stream is dead" });
          return;
        }
      }
    }, Math.min(5_000, this.options.silentTimeout / 3)));
    for (const core of cores) this.attach(core);
  }

  attach(core) {
    if (this.stopped || this.streams.has(core.id)) return;
    if (!this.opened && !this.connectTimer) { // from the first stream on: there is none until a board has its snapshot
      this.connectTimer = setTimeout(() => {
        if (!this.opened) this.fail({ refused: true, message: "The event stream did not open" });
      }, this.options.connectTimeout);
      this.timers.push(this.connectTimer);
    }
    const stream = { core, controller: new AbortController(), live: false, lastSeen: Date.now() };
    this.streams.set(core.id, stream);
    this.read(stream);
  }

  detach(core) {
    const stream = this.streams.get(core.id);
    if (!stream) return;
    this.streams.delete(core.id);
    this.presence.stop(core);
    stream.controller.abort();
  }

  async read(stream) {
    const { core } = stream;
    const seq = core.resumeFrom();
    const headers = { Accept: "text/event-stream", "Last-Event-ID": core.epoch ? `${core.epoch}/${seq}` : String(seq) };
    const token = this.link.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    const stale = () => this.stopped || this.streams.get(core.id) !== stream;
    let response;
    try {
      response = await fetch(new URL(boardPath(core.id, "/events"), this.options.baseUrl), {
        headers, cache: "no-store", signal: stream.controller.signal,
      });
    } catch {
      if (!stale()) this.fail({ refused: !this.opened, message: "The event stream could not connect" });
      return;
    }
    if (stale()) return response.body?.cancel().catch(() => {});
    if (!response.ok) {
      const failure = classifyHttp(await readAnswer(response));
      if (stale()) return;
      if (failure.board) return this.link.boardFailed(core, failure);
      return this.fail(failure);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    let event = { type: "", data: [] };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (stale()) return;
        if (done) break;
        stream.lastSeen = Date.now();
        buffered += value;
        let end;
        while ((end = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, end).replace(/\r$/, "");
          buffered = buffered.slice(end + 1);
          if (line === "") {
            if (event.data.length) this.dispatch(stream, event.type || "message", event.data.join("\n"));
            event = { type: "", data: [] };
            if (stale()) return;
          } else if (!line.startsWith(":")) { // a comment is a heartbeat: lastSeen has it
            const colon = line.indexOf(":");
            const field = colon < 0 ? line : line.slice(0, colon);
            const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
            if (field === "event") event.type = text;
            else if (field === "data") event.data.push(text);
          }
        }
      }
    } catch {
      // the connection broke (or we aborted it: then stale)
    }
    if (!stale()) this.fail({ refused: false, message: "The event stream ended" });
  }

  dispatch(stream, type, data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    const { core } = stream;
    if (msg.type === "connected") {
      core.setEpoch(msg.epoch);
      stream.live = true;
      if (!this.opened) {
        this.opened = true;
        this.link.opened(this);
      }
      this.presence.start(core);
      this.link.live(this, core);
    } else if (type === "disconnect" || msg.type === "disconnect") {
      if (msg.code === 4001) this.fail({ auth: true, status: 401, code: 4001, message: msg.reason || "Unauthorized" });
      else this.fail({ refused: false, code: msg.code, message: msg.reason || "The server ended the stream" });
    } else if (msg.type === "resync") {
      core.resync(msg);
    } else if (EVENT_TYPES.has(msg.type)) {
      core.receive(msg);
    }
  }

  release() {
    this.presence.stopAll();
    for (const stream of this.streams.values()) stream.controller.abort();
  }
}

/**
 * Polling, one loop per board: long polling (`GET /boards/{id}/poll?after=n`, answered once there is an event or
 * at the server's timeout) or short polling (`GET /boards/{id}/updates?after=n`, answered at once, asked again at
 * once when it brought something, else after pollInterval).
 */
class PollTransport extends Transport {
  constructor(link, long) {
    super(link, long ? "longpoll" : "poll");
    this.long = long;
    /** boardId → {core, controller, live} */
    this.loops = new Map();
    this.presence = new PresenceReader(this.options.presenceInterval);
  }

  isLive(core) {
    return this.isOpen && this.loops.get(core.id)?.live === true;
  }

  start(cores) {
    for (const core of cores) this.attach(core);
  }

  attach(core) {
    if (this.stopped || this.loops.has(core.id)) return;
    const loop = { core, controller: null, live: false, wait: null };
    this.loops.set(core.id, loop);
    this.run(loop);
  }

  detach(core) {
    const loop = this.loops.get(core.id);
    if (!loop) return;
    this.loops.delete(core.id);
    this.presence.stop(core);
    loop.controller?.abort();
    clearTimeout(loop.wait);
    loop.wake?.();
  }

  markLive(loop) {
    if (loop.live || this.stale(loop)) return;
    loop.live = true;
    if (!this.opened) {
      this.opened = true;
      this.link.opened(this);
    }
    this.presence.start(loop.core);
    this.link.live(this, loop.core);
  }

  stale(loop) {
    return this.stopped || this.loops.get(loop.core.id) !== loop;
  }

  async run(loop) {
    const { core } = loop;
    const route = this.long ? "/poll" : "/updates";
    while (!this.stale(loop)) {
      const controller = new AbortController();
      loop.controller = controller;
      const limit = this.long ? this.options.silentTimeout : this.options.connectTimeout;
      const timeout = setTimeout(() => controller.abort(), limit);
      const grace = this.long && !loop.live ? setTimeout(() => this.markLive(loop), LONG_POLL_GRACE_MS) : null;
      const epoch = core.epoch ? `&epoch=${encodeURIComponent(core.epoch)}` : "";
      let res;
      try {
        res = await this.link.request("GET", boardPath(core.id, `${route}?after=${core.resumeFrom()}${epoch}`),
          { signal: controller.signal });
      } catch {
        res = null;
      } finally {
        clearTimeout(timeout);
        clearTimeout(grace);
      }
      if (this.stale(loop)) return;
      if (!res) {
        return this.fail({ refused: !this.opened,
          message: controller.signal.aborted ? "No answer from the server: the connection is dead" : "The poll could not connect" });
      }
      if (!res.ok) {
        const failure = classifyHttp(res);
        if (failure.board) return this.link.boardFailed(core, failure);
        return this.fail(failure);
      }
      const body = res.json ?? {};
      core.setEpoch(body.epoch);
      if (body.resync) core.resync(body.resync);
      for (const event of body.events ?? []) core.receive(event);
      this.markLive(loop);
      const brought = (body.events?.length ?? 0) > 0 || body.resync || body.more;
      if (!this.long && !brought) {
        await new Promise((resolve) => {
          loop.wait = setTimeout(resolve, this.options.pollInterval);
          loop.wake = resolve;
        });
      }
    }
  }

  release() {
    this.presence.stopAll();
    for (const loop of this.loops.values()) {
      loop.controller?.abort();
      clearTimeout(loop.wait);
      loop.wake?.();
    }
  }
}

async function readAnswer(response) {
  let json = null;
  try {
    const text = await response.text();
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  const error = json && typeof json.error === "string" ? json.error : (response.statusText || `HTTP ${response.status}`);
  return { ok: response.ok, status: response.status, json, headers: response.headers, error };
}

// ---------------------------------------------------------------------------------------------------------------
// The client.

/**
 * A connection to one Liveboard server: the REST helpers, and the boards it follows live over the best transport.
 * Events: "status" (Status, after every change of it), "auth_error" (LiveboardError with status 401 or 403; on 401
 * the client stops trying until setToken()).
 */
export class LiveboardClient extends Emitter {
  #options;
  #token;
  /** @type {Map<string, Board>} */
  #boards = new Map();
  #cores = new WeakMap();
  /** @type {Status} */
  #status;
  #transports;
  #index = 0;
  #conn = null;
  #probe = null;
  #probeIndex = 0;
  #attempt = 0;
  #retryTimer = null;
  #retryAt = null;
  #upgradeTimer = null;
  #error = null;
  #closed = false;
  #authStopped = false;
  #browserOffline = false;
  #generation = 0;
  #unlisten = [];
  #link;

  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    super();
    const transports = options.transports ?? TRANSPORTS;
    if (!Array.isArray(transports) || transports.length === 0 || transports.some((t) => !TRANSPORTS.includes(t))) {
      throw new TypeError(`transports must be a non-empty list of ${TRANSPORTS.join(", ")}`);
    }
    const baseUrl = options.baseUrl ?? globalThis.location?.origin;
    if (!baseUrl) throw new TypeError("baseUrl is required where there is no location");
    this.#transports = [...new Set(transports)];
    this.#options = { ...DEFAULTS, baseUrl: String(baseUrl).replace(/\/+$/, "") };
    for (const name of Object.keys(DEFAULTS)) {
      if (typeof options[name] === "number" && options[name] > 0) this.#options[name] = options[name];
    }
    this.#token = options.token || undefined;
    this.#browserOffline = globalThis.navigator?.onLine === false;
    this.#status = { transport: this.#transports[0], state: this.#browserOffline ? "offline" : "connecting",
      retryAt: null, error: null };
    this.#link = this.#makeLink();
    if (typeof globalThis.addEventListener === "function" && typeof globalThis.removeEventListener === "function") {
      const online = () => this.#online();
      const offline = () => this.#offline();
      globalThis.addEventListener("online", online);
      globalThis.addEventListener("offline", offline);
      this.#unlisten.push(() => globalThis.removeEventListener("online", online),
        () => globalThis.removeEventListener("offline", offline));
    }
  }

  /** @returns {Status} */
  get status() {
    return this.#status;
  }

  /**
   * A new token: used from now on on every transport (sent to a live WebSocket as an `auth` renewal); after an
   * auth error the client starts again.
   * @param {string|undefined} token
   */
  setToken(token) {
    this.#token = token || undefined;
    if (this.#closed) return;
    if (this.#authStopped) {
      this.#authStopped = false;
      this.#attempt = 0;
      this.#error = null;
      for (const board of this.#boards.values()) this.#cores.get(board).load();
      this.#connect();
    } else if (this.#token && this.#conn instanceof WsTransport && this.#conn.isOpen) {
      this.#conn.renew(this.#token);
    }
  }

  /** GET /boards. @returns {Promise<BoardSummary[]>} */
  async boards() {
    return this.#json("GET", "/boards");
  }

  /** POST /boards {name}. @param {string} name @returns {Promise<BoardState>} the board with its lists */
  async createBoard(name) {
    return this.#json("POST", "/boards", { name });
  }

  /**
   * Follows a board: its snapshot (GET /boards/{id}), then live on the best transport, resuming from its seq.
   * The same object for the same id until it is closed.
   * @param {string} boardId
   * @returns {Board}
   */
  board(boardId) {
    if (this.#closed) throw new Error("The client is closed");
    if (typeof boardId !== "string" || boardId === "") throw new TypeError("boardId must be a non-empty string");
    let board = this.#boards.get(boardId);
    if (board) return board;
    board = new Board(boardId, this.#link);
    this.#boards.set(boardId, board);
    const core = this.#cores.get(board);
    if (!this.#authStopped) core.load();
    if (!this.#conn && !this.#retryTimer) this.#connect();
    return board;
  }

  /** Everything off: every board closed, no connection, no timer, no listener left. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#generation++;
    const error = new LiveboardError("The client was closed");
    for (const board of this.#boards.values()) this.#cores.get(board).close(error);
    this.#boards.clear();
    this.#stopConnection();
    for (const unlisten of this.#unlisten) unlisten();
    this.#setStatus({ ...this.#status, state: "offline", retryAt: null });
  }

  // --- the link: what boards and transports may ask of the client ---------------------------------------------

  #makeLink() {
    return {
      options: this.#options,
      cores: this.#cores,
      token: () => this.#token,
      request: (method, path, init) => this.#request(method, path, init),
      ready: (core) => {
        this.#conn?.attach(core);
        this.#probe?.attach(core);
        if (!this.#conn && !this.#retryTimer) this.#connect();
        this.#refreshStatus();
      },
      opened: (transport) => {
        if (transport === this.#conn) {
          // the server is there: what waited out a backoff goes now, before the replay, so its answer marks its event
          for (const core of this.#activeCores()) core.retryNow();
          this.#flush();
          this.#refreshStatus();
        }
      },
      live: (transport) => {
        if (transport === this.#conn) this.#refreshStatus();
        else if (transport === this.#probe) this.#probeLive();
      },
      progress: (core) => {
        this.#conn?.progress?.(core);
        this.#probe?.progress?.(core);
      },
      failed: (transport, failure) => this.#failed(transport, failure),
      authFailed: (failure) => this.#authFailed(failure),
      boardFailed: (core, failure) => {
        const error = new LiveboardError(failure.message, failure.status);
        const board = core.facade;
        if (this.#boards.get(core.id) === board) this.#boards.delete(core.id);
        this.#detach(core);
        core.close(error);
        emit(board, "error", error);
        if (failure.status === 403) {
          const authError = new LiveboardError(failure.message, 403);
          authError.boardId = core.id;
          emit(this, "auth_error", authError);
        }
        this.#refreshStatus();
      },
      closeBoard: (core, error) => {
        if (this.#boards.get(core.id) === core.facade) this.#boards.delete(core.id);
        this.#detach(core);
        core.close(error);
        if (this.#boards.size === 0) this.#stopConnection();
        this.#refreshStatus();
      },
      flush: () => this.#flush(),
      typing: (core, on, taskId) => (this.#conn instanceof WsTransport && this.#conn.isOpen ? this.#conn.typing(core, on, taskId) : false),
    };
  }

  #detach(core) {
    this.#conn?.detach(core);
    this.#probe?.detach(core);
  }

  #activeCores() {
    return [...this.#boards.values()].map((board) => this.#cores.get(board));
  }

  #readyCores() {
    return this.#activeCores().filter((core) => core.confirmed);
  }

  // --- connecting, failing over, going back up ------------------------------------------------------------------

  #connect() {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#retryAt = null;
    if (this.#closed || this.#authStopped || this.#browserOffline || this.#conn) return this.#refreshStatus();
    if (this.#boards.size === 0) return this.#refreshStatus();
    const transport = this.#newTransport(this.#transports[this.#index]);
    this.#conn = transport;
    this.#refreshStatus();
    transport.start(this.#readyCores());
  }

  #newTransport(name) {
    switch (name) {
      case "websocket":
        return new WsTransport(this.#link);
      case "sse":
        return new SseTransport(this.#link);
      case "longpoll":
        return new PollTransport(this.#link, true);
      default:
        return new PollTransport(this.#link, false);
    }
  }

  async #failed(transport, failure) {
    if (transport === this.#probe) return this.#probeFailed(failure);
    if (transport !== this.#conn) return;
    this.#conn = null;
    this.#stopProbe();
    if (failure.auth) return this.#authFailed(failure);
    this.#error = { message: failure.message };
    if (failure.status !== undefined) this.#error.status = failure.status;
    if (failure.code !== undefined) this.#error.code = failure.code;
    if (!failure.refused) return this.#retry(); // it was open: the same transport again, after a while
    if (failure.status === undefined) {
      // no status to tell why: is the server there at all? If not, this transport is as good as any
      const generation = this.#generation;
      this.#refreshStatus();
      const reachable = await this.#reachable();
      if (generation !== this.#generation || this.#closed || this.#conn || this.#retryTimer || this.#authStopped) return;
      if (!reachable) return this.#retry();
    }
    if (this.#index + 1 < this.#transports.length) {
      this.#index++;
      return this.#connect(); // the next one at once
    }
    this.#index = 0; // every one refused: from the top again, after a while
    this.#retry();
  }

  async #reachable() {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), this.#options.connectTimeout);
    try {
      await fetch(`${this.#options.baseUrl}/healthz`, { cache: "no-store", signal: controller.signal });
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timeout);
    }
  }

  #retry() {
    if (this.#closed || this.#authStopped || this.#browserOffline) return this.#refreshStatus();
    const delay = backoff(this.#attempt++);
    this.#retryAt = Date.now() + delay;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, delay);
    this.#refreshStatus();
  }

  #scheduleUpgrade() {
    if (this.#upgradeTimer || this.#probe || this.#index === 0 || !this.#conn || this.#closed) return;
    const delay = this.#options.upgradeInterval * (0.8 + 0.4 * Math.random());
    this.#upgradeTimer = setTimeout(() => {
      this.#upgradeTimer = null;
      this.#startProbe(0);
    }, delay);
  }

  /** Tries the better transport `index` beside the one in use; it takes over once every board is live on it. */
  #startProbe(index) {
    if (this.#probe || !this.#conn?.isOpen || index >= this.#index || this.#closed) return this.#scheduleUpgrade();
    this.#probeIndex = index;
    this.#probe = this.#newTransport(this.#transports[index]);
    this.#probe.start(this.#readyCores());
  }

  #probeLive() {
    const probe = this.#probe;
    if (!probe || !this.#readyCores().every((core) => probe.isLive(core))) return;
    // every board is joined and caught up on the better transport: it takes over; events that came on both
    // were applied once (by seq); commands in flight on the old one go again on the new one with their keys
    const old = this.#conn;
    this.#probe = null;
    this.#conn = probe;
    this.#index = this.#probeIndex;
    old?.stop();
    this.#flush();
    this.#refreshStatus();
  }

  #probeFailed(failure) {
    const next = this.#probeIndex + 1;
    this.#stopProbe();
    if (failure.auth) return this.#authFailed(failure);
    if (failure.refused && next < this.#index) this.#startProbe(next);
    else this.#scheduleUpgrade();
  }

  #stopProbe() {
    clearTimeout(this.#upgradeTimer);
    this.#upgradeTimer = null;
    const probe = this.#probe;
    this.#probe = null;
    probe?.stop();
  }

  #stopConnection() {
    this.#generation++;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#retryAt = null;
    this.#stopProbe();
    const conn = this.#conn;
    this.#conn = null;
    conn?.stop();
  }

  #authFailed(failure) {
    if (this.#authStopped || this.#closed) return;
    this.#authStopped = true;
    this.#stopConnection();
    const error = new LiveboardError(failure.message || "Unauthorized", 401, failure.code);
    this.#error = { status: 401, message: error.message };
    if (failure.code !== undefined) this.#error.code = failure.code;
    this.#refreshStatus();
    emit(this, "auth_error", error);
  }

  #online() {
    if (this.#closed) return;
    this.#browserOffline = false;
    this.#attempt = 0;
    if (this.#conn) return this.#refreshStatus();
    this.#connect(); // at once, not at the end of the backoff
  }

  #offline() {
    if (this.#closed) return;
    this.#browserOffline = true;
    this.#stopConnection();
    this.#refreshStatus();
  }

  #flush() {
    const conn = this.#conn;
    if (!conn?.isOpen) return;
    for (const core of this.#activeCores()) core.flush(conn);
  }

  #refreshStatus() {
    if (this.#closed) return;
    const conn = this.#conn;
    const transport = conn ? conn.name : this.#transports[this.#index];
    if (this.#authStopped || this.#browserOffline) {
      return this.#setStatus({ transport, state: "offline", retryAt: null, error: this.#error });
    }
    const cores = this.#activeCores();
    const live = conn?.isOpen && cores.length > 0 && cores.every((core) => core.confirmed && conn.isLive(core));
    if (live) {
      this.#attempt = 0;
      this.#error = null;
      this.#setStatus({ transport, state: "live", retryAt: null, error: null });
      this.#scheduleUpgrade();
    } else {
      this.#setStatus({ transport, state: "connecting", retryAt: this.#retryTimer ? this.#retryAt : null, error: this.#error });
    }
  }

  #setStatus(status) {
    const old = this.#status;
    if (old.transport === status.transport && old.state === status.state && old.retryAt === status.retryAt
      && JSON.stringify(old.error) === JSON.stringify(status.error)) return;
    this.#status = Object.freeze({ ...status });
    emit(this, "status", this.#status);
  }

  // --- REST -------------------------------------------------------------------------------------------------------

  /**
   * One request; throws on a network failure, an abort of `signal`, or no answer within silentTimeout; else
   * answers {ok, status, json, headers, error}.
   */
  async #request(method, path, { body, headers = {}, signal } = {}) {
    const all = { Accept: "application/json", ...headers };
    if (body !== undefined) all["Content-Type"] = "application/json";
    if (this.#token) all.Authorization = `Bearer ${this.#token}`;
    let timeout = null;
    if (!signal) {
      const controller = new AbortController();
      timeout = setTimeout(() => controller.abort(), this.#options.silentTimeout);
      signal = controller.signal;
    }
    try {
      const response = await fetch(this.#options.baseUrl + path, {
        method, headers: all, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store", signal,
      });
      return await readAnswer(response);
    } finally {
      clearTimeout(timeout);
    }
  }

  async #json(method, path, body) {
    const res = await this.#request(method, path, { body });
    if (res.ok) return res.json;
    const error = new LiveboardError(res.error, res.status);
    if (res.status === 401) this.#authFailed({ status: 401, message: res.error });
    else if (res.status === 403) emit(this, "auth_error", error);
    throw error;
  }
}
