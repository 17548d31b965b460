// The static files' test script — “ünïcödé” on purpose: served as UTF-8, it must arrive byte for byte.
// Under the page's Content-Security-Policy it talks to this origin three ways, and writes what it got.

const show = (id, text) => {
  document.getElementById(id).textContent = text;
};

const scheme = location.protocol === "https:" ? "wss" : "ws";
const socket = new WebSocket(`${scheme}://${location.host}/`);
socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "join", boardId: "board-1" })));
socket.addEventListener("message", (event) => {
  const message = JSON.parse(event.data);
  if (message.type === "joined") {
    show("ws", `joined ${message.boardId}`);
  }
});
socket.addEventListener("error", () => show("ws", "error"));

const stream = new EventSource("/boards/board-1/events");
stream.addEventListener("message", (event) => {
  const message = JSON.parse(event.data);
  if (message.type === "connected") {
    show("sse", `connected ${message.boards.join(",")}`);
  }
});
stream.addEventListener("error", () => show("sse", "error"));

fetch("/boards")
  .then((response) => response.json())
  .then((boards) => show("rest", `${boards.length} boards`))
  .catch((error) => show("rest", `error ${error}`));
