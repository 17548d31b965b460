// The board page (/b/<boardId>): follows the board with the client library and shows it; everything about the
// protocol (transports, resuming, retries) is the library's, this module only renders and takes input.

import { LiveboardClient } from "/liveboard-client.js";
import { BoardView } from "./board-view.js";
import { ConnectionIndicator } from "./connection-indicator.js";
import { CardDragging } from "./drag.js";
import { Notices } from "./notices.js";
import { PresenceBar } from "./presence-bar.js";
import { TokenForm, initialToken, refusalMessage } from "./session.js";

const $ = (selector) => document.querySelector(selector);
const boardId = decodeURIComponent(location.pathname.replace(/^\/b\//, "").replace(/\/$/, ""));

const notices = new Notices($("[data-alerts]"), $("[data-announcer]"));
const indicator = new ConnectionIndicator($("[data-connection]"));
const presence = new PresenceBar($("[data-presence]"), $("[data-typing-line]"));
const boardName = $("[data-board-name]");
const boardMessage = $("[data-board-message]");

let token = initialToken();
const client = new LiveboardClient({ token });
const tokenForm = new TokenForm($("[data-token-form]"), (newToken) => {
  token = newToken;
  client.setToken(newToken);
});
const board = client.board(boardId);

const actions = {
  create(listId, title) {
    board.createTask({ listId, title }).catch(refused(`Could not add “${title}”`));
  },
  update(task, changes) {
    board.updateTask(task.id, changes).catch(refused(`Could not save “${task.title}”`));
  },
  move(task, listId, position) {
    const to = position === undefined ? { listId } : { listId, position };
    board.moveTask(task.id, to).catch(refused(`Could not move “${task.title}”`));
    const placed = view.where(task.id);
    const list = placed.lists.find((l) => l.id === placed.listId);
    if (list) {
      notices.announce(`Moved “${task.title}” to ${list.name}, position ${placed.index + 1} of ${placed.count}`);
    }
  },
  remove(task) {
    board.deleteTask(task.id).catch(refused(`Could not delete “${task.title}”`));
  },
  typing(on, taskId) {
    board.typing(on, { taskId });
  },
};

const view = new BoardView($("[data-columns]"), actions, (taskId) => presence.typingOn(taskId));
presence.onTypingChange = () => view.refreshTyping();
new CardDragging($("[data-columns]"), (element) => {
  const card = view.card(element.dataset.taskId);
  return card !== undefined && !card.busy && !card.task.id.startsWith("tmp-");
}, (taskId, listId, position) => {
  const from = view.where(taskId);
  if (from.listId !== listId || from.index !== position) {
    actions.move(view.card(taskId).task, listId, position);
  }
});

let tasks = new Map(); // taskId → {title, listId}: what was shown, to name what someone else deleted
let wasLive = false;
let lost = false;

indicator.show(client.status);
client.on("status", (status) => {
  indicator.show(status);
  const live = status.state === "live";
  if (live) {
    tokenForm.hide();
  }
  if (wasLive && !live) {
    lost = true;
    notices.announce(status.state === "offline" ? "Offline" : "Connection lost, reconnecting");
  } else if (lost && live) {
    lost = false;
    notices.announce("Live again");
  }
  wasLive = live;
});

client.on("auth_error", (error) => {
  nameUnknownBoard();
  if (error.status === 403) {
    showBoardMessage(refusalMessage(error, token !== undefined));
  } else {
    tokenForm.ask(refusalMessage(error, token !== undefined));
  }
});

board.on("error", (error) => {
  showBoardMessage(error.status === 404 ? `There is no board “${boardId}”.`
    : error.status === 403 ? refusalMessage(error, token !== undefined) : error.message);
});

board.on("state", (state, change) => show(state, change));
board.on("presence", (p) => presence.show(p));
board.on("typing", (t) => presence.typingChanged(t));
if (board.state) {
  show(board.state, { kind: "snapshot", own: false });
}
if (board.presence) {
  presence.show(board.presence);
}

function show(state, change) {
  boardMessage.hidden = true;
  if (boardName.textContent !== state.name) {
    boardName.textContent = state.name;
    document.title = `${state.name} · Liveboard`;
  }
  view.render(state, change);
  if (change.kind === "event" && !change.own && change.event) {
    remoteChange(change.event, state);
  }
  tasks = new Map();
  for (const list of state.lists) {
    for (const task of list.tasks) {
      tasks.set(task.id, { title: task.title, listId: task.listId });
    }
  }
}

/** Someone else's change: highlighted for a moment, and said to screen readers. */
function remoteChange(event, state) {
  const listName = (listId) => state.lists.find((l) => l.id === listId)?.name ?? "another list";
  switch (event.type) {
    case "task_created":
      view.card(event.task.id)?.highlight();
      notices.announce(`Added “${event.task.title}” to ${listName(event.task.listId)}`);
      break;
    case "task_updated":
      view.card(event.task.id)?.highlight();
      notices.announce(`Changed “${event.task.title}”`);
      break;
    case "task_moved":
      view.card(event.task.id)?.highlight();
      notices.announce(`Moved “${event.task.title}” to ${listName(event.task.listId)}`);
      break;
    case "task_deleted": {
      const gone = tasks.get(event.taskId);
      notices.announce(gone ? `Deleted “${gone.title}” from ${listName(gone.listId)}` : "Deleted a card");
      break;
    }
    case "list_created":
      notices.announce(`Added the list ${event.list.name}`);
      break;
    default:
  }
}

function refused(what) {
  return (error) => notices.error(`${what}: ${error.message}`);
}

// Before the board is read (it may never be: refused, not found), the header names it by its id.
function nameUnknownBoard() {
  if (!board.state) {
    boardName.textContent = boardId;
  }
}

function showBoardMessage(text) {
  nameUnknownBoard();
  boardMessage.textContent = text;
  const back = document.createElement("a");
  back.href = "/";
  back.textContent = "All boards";
  boardMessage.append(" ", back);
  boardMessage.hidden = false;
}
