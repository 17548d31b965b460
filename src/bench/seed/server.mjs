// The course's design ("Rooms and Broadcasting", Real-Time APIs with @hectoday/http) as the lesson writes it:
// Node.js + ws, rooms as Sets of sockets, every broadcast JSON.stringify'd once and sent to each socket.
// The yardstick the load generator measures Liveboard against; not part of Liveboard.
//
// rooms.ts and handleMessage are the lesson's, with one change: every send goes through send() below,
// which counts messages and bytes for /metrics. Around them is the least the benchmark needs, in the
// course's style: one process, an in-memory store, REST for boards and tasks, /metrics.
//
//   node server.mjs [--port 3000]      (or PORT=3000)

import http from "node:http";
import { WebSocket, WebSocketServer } from "ws";

// ---- metrics: what the benchmark reads from /metrics

let messagesSent = 0;
let bytesSent = 0;

/** ws.send, counted. */
function send(ws, message) {
  messagesSent++;
  bytesSent += Buffer.byteLength(message);
  ws.send(message);
}

function metrics() {
  const cpu = process.cpuUsage();
  return [
    "# TYPE process_cpu_time_ns_total counter",
    `process_cpu_time_ns_total ${(cpu.user + cpu.system) * 1000}`,
    "# TYPE liveboard_messages_sent_total counter",
    `liveboard_messages_sent_total{transport="websocket"} ${messagesSent}`,
    "# TYPE liveboard_bytes_sent_bytes_total counter",
    `liveboard_bytes_sent_bytes_total{transport="websocket"} ${bytesSent}`,
    "# TYPE liveboard_process_resident_memory_bytes gauge",
    `liveboard_process_resident_memory_bytes ${process.memoryUsage().rss}`,
    "",
  ].join("\n");
}

// ---- rooms.ts, as in the lesson

const rooms = new Map();

function joinRoom(roomId, ws) {
  if (!rooms.has(roomId)) rooms.set(roomId, new Set());
  rooms.get(roomId).add(ws);
}

function leaveRoom(roomId, ws) {
  const room = rooms.get(roomId);
  if (room) {
    room.delete(ws);
    if (room.size === 0) rooms.delete(roomId);
  }
}

function leaveAllRooms(ws) {
  for (const [roomId, room] of rooms) {
    room.delete(ws);
    if (room.size === 0) rooms.delete(roomId);
  }
}

function broadcastToRoom(roomId, data, exclude) {
  const room = rooms.get(roomId);
  if (!room) return;

  const message = JSON.stringify(data);
  for (const ws of room) {
    if (ws !== exclude && ws.readyState === WebSocket.OPEN) {
      send(ws, message);
    }
  }
}

function getRoomSize(roomId) {
  return rooms.get(roomId)?.size ?? 0;
}

// ---- the WebSocket messages, as in the lesson

function handleMessage(ws, message) {
  switch (message.type) {
    case "join": {
      if (!message.boardId) {
        send(ws, JSON.stringify({ error: "boardId is required" }));
        return;
      }
      joinRoom(message.boardId, ws);
      send(
        ws,
        JSON.stringify({
          type: "joined",
          boardId: message.boardId,
          viewers: getRoomSize(message.boardId),
        }),
      );
      // Notify others
      broadcastToRoom(
        message.boardId,
        {
          type: "user_joined",
          viewers: getRoomSize(message.boardId),
        },
        ws,
      );
      break;
    }

    case "leave": {
      if (message.boardId) {
        leaveRoom(message.boardId, ws);
        broadcastToRoom(message.boardId, {
          type: "user_left",
          viewers: getRoomSize(message.boardId),
        });
      }
      break;
    }

    case "ping":
      send(ws, JSON.stringify({ type: "pong" }));
      break;

    default:
      send(ws, JSON.stringify({ error: `Unknown type: ${message.type}` }));
  }
}

function handleDisconnect(ws) {
  // Leave all rooms this socket was in
  leaveAllRooms(ws);
}

// ---- the store: boards with the three lists, tasks; in memory

const boards = new Map();
const lists = new Map();
const tasks = new Map();
const tasksInList = new Map();
let nextBoard = 1;
let nextTask = 1;

function createBoard(name) {
  const id = `board-${nextBoard++}`;
  const board = { id, name, createdAt: new Date().toISOString() };
  boards.set(id, board);
  // list ids are the course's (list-todo, …) made unique per board, so that a list names its board
  [
    ["todo", "To Do"],
    ["in-progress", "In Progress"],
    ["done", "Done"],
  ].forEach(([slug, listName], position) => {
    const listId = `${id}-${slug}`;
    lists.set(listId, { id: listId, boardId: id, name: listName, position });
  });
  return board;
}

function boardWithLists(board) {
  const own = [...lists.values()].filter((list) => list.boardId === board.id);
  return { ...board, lists: own };
}

function createTask(title, listId) {
  const now = new Date().toISOString();
  const position = tasksInList.get(listId) ?? 0;
  tasksInList.set(listId, position + 1);
  const task = {
    id: `task-${nextTask++}`,
    listId,
    title,
    description: null,
    assigneeId: null,
    position,
    createdAt: now,
    updatedAt: now,
  };
  tasks.set(task.id, task);
  return task;
}

// ---- REST

function reply(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString() || "{}") ?? {});
      } catch (error) {
        reject(error);
      }
    });
    req.on("error", reject);
  });
}

/** POST /tasks and POST /boards/:id/tasks: the task, and task_created to the board's room. */
function postTask(res, body, boardId) {
  const list = lists.get(body.listId);
  if (typeof body.title !== "string" || body.title.length === 0) {
    return reply(res, 400, { error: "title is required" });
  }
  if (!list || (boardId && list.boardId !== boardId)) {
    return reply(res, 400, { error: "Unknown listId" });
  }
  const task = createTask(body.title, list.id);
  reply(res, 201, task);
  broadcastToRoom(list.boardId, { type: "task_created", task });
}

async function route(req, res) {
  const path = new URL(req.url, "http://localhost").pathname;
  const boardPath = path.match(/^\/boards\/([^/]+)(\/tasks)?$/);
  if (req.method === "GET" && path === "/metrics") {
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
    return res.end(metrics());
  }
  if (req.method === "POST" && path === "/boards") {
    const body = await readJson(req);
    if (typeof body.name !== "string" || body.name.length === 0) {
      return reply(res, 400, { error: "name is required" });
    }
    return reply(res, 201, createBoard(body.name));
  }
  if (req.method === "GET" && boardPath && !boardPath[2]) {
    const board = boards.get(boardPath[1]);
    return board ? reply(res, 200, boardWithLists(board)) : reply(res, 404, { error: "Board not found" });
  }
  if (req.method === "POST" && boardPath && boardPath[2]) {
    if (!boards.has(boardPath[1])) return reply(res, 404, { error: "Board not found" });
    return postTask(res, await readJson(req), boardPath[1]);
  }
  if (req.method === "POST" && path === "/tasks") {
    return postTask(res, await readJson(req));
  }
  reply(res, 404, { error: "Not found" });
}

// ---- one server for REST and WebSocket (any path: the course's client uses /ws)

const server = http.createServer((req, res) => {
  route(req, res).catch((error) => {
    if (error instanceof SyntaxError) return reply(res, 400, { error: "Invalid JSON" });
    console.error(error);
    reply(res, 500, { error: "Internal error" });
  });
});

const wss = new WebSocketServer({ server });

wss.on("connection", (ws) => {
  // the course's server greets every connection
  send(ws, JSON.stringify({ type: "connected" }));
  ws.on("message", (data) => {
    let message;
    try {
      message = JSON.parse(data.toString());
    } catch {
      send(ws, JSON.stringify({ error: "Invalid JSON" }));
      return;
    }
    handleMessage(ws, message);
  });
  ws.on("close", () => handleDisconnect(ws));
  // a broken frame or a reset: ws closes the socket ("close" follows); without a listener it would crash us
  ws.on("error", () => {});
});

const flag = process.argv.indexOf("--port");
const port = Number(flag >= 0 ? process.argv[flag + 1] : (process.env.PORT ?? 3000));
server.listen(port, () => console.log(`seed listening on port ${port}`));
