// The list of boards (/): links to each board, and a form that creates one and opens it.

import { LiveboardClient } from "/liveboard-client.js";
import { Notices } from "./notices.js";
import { TokenForm, initialToken, refusalMessage } from "./session.js";

const $ = (selector) => document.querySelector(selector);
const notices = new Notices($("[data-alerts]"), $("[data-announcer]"));
const list = $("[data-boards]");
const status = $("[data-boards-status]");
const createForm = $("[data-form=create-board]");

let token = initialToken();
const client = new LiveboardClient({ token });
const tokenForm = new TokenForm($("[data-token-form]"), (newToken) => {
  token = newToken;
  client.setToken(newToken);
  load();
// back from a board, the browser may show this page as it was (its back/forward cache): list the boards again
addEventListener("pageshow", (e) => {
  if (e.persisted) {
    load();
  }
});
});

async function load() {
  try {
    const boards = await client.boards();
    list.replaceChildren(...boards.map((board) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `/b/${encodeURIComponent(board.id)}`;
      link.dataset.boardId = board.id;
      link.textContent = board.name;
      item.append(link);
      return item;
    }));
    status.textContent = boards.length === 0 ? "No boards yet: create the first one." : "";
    status.hidden = boards.length > 0;
  } catch (error) {
    refused(error, "Could not list the boards");
  }
}

createForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = createForm.elements.name;
  const name = input.value.trim();
  if (!name) {
    input.focus();
    return;
  }
  const submit = createForm.querySelector("button[type=submit]");
  submit.disabled = true;
  try {
    const board = await client.createBoard(name);
    location.assign(`/b/${encodeURIComponent(board.id)}`);
  } catch (error) {
    submit.disabled = false;
    refused(error, `Could not create “${name}”`);
  }
});

function refused(error, what) {
  if (error.status === 401) {
    status.textContent = "";
    tokenForm.ask(refusalMessage(error, token !== undefined));
  } else if (error.status === 403) {
    notices.error(`${what}: your token does not allow it.`);
  } else {
    notices.error(`${what}: ${error.message}`);
  }
}

load();
// back from a board, the browser may show this page as it was (its back/forward cache): list the boards again
addEventListener("pageshow", (e) => {
  if (e.persisted) {
    load();
  }
});
