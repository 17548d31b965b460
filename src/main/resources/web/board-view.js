// The board as columns of cards, kept equal to the client's state: each render puts the lists and tasks in
// their order, reusing the elements of those already shown (so an open menu or editor, and the focus, survive
// changes that arrive meanwhile). Hooks: every column data-list-id, its form data-form="create-task".

import { Card } from "./card.js";

let columnNumber = 0;

export class BoardView {
  /**
   * `root`: the `[data-columns]` element; `actions` = {create(listId, title), update(task, changes),
   * move(task, listId, position), remove(task), typing(on, taskId)}; `typingOn(taskId)` → [name].
   */
  constructor(root, actions, typingOn) {
    this.root = root;
    this.actions = actions;
    this.columns = new Map(); // listId → {element, name, count, cards}
    this.cards = new Map(); // taskId → Card
    this.state = null;
    this.env = { actions, typingOn, where: (taskId) => this.where(taskId) };
  }

  /**
   * Shows `state` ({lists: [{id, name, tasks: [Task & {pending?}]}]}); `change` is the client's (a created card
   * confirmed under its real id keeps its element).
   */
  render(state, change = {}) {
    this.state = state;
    if (change.tempId && change.taskId && this.cards.has(change.tempId) && !this.cards.has(change.taskId)) {
      this.cards.set(change.taskId, this.cards.get(change.tempId));
      this.cards.delete(change.tempId);
    }
    const focused = document.activeElement;
    const focusedColumn = focused?.closest?.("[data-list-id]")?.dataset.listId;
    const seenLists = new Set();
    const seenTasks = new Set();
    state.lists.forEach((list, i) => {
      seenLists.add(list.id);
      const column = this.columns.get(list.id) ?? this.#column(list);
      setText(column.name, list.name);
      setText(column.count, String(list.tasks.length));
      column.input.setAttribute("aria-label", `New card in ${list.name}`);
      placeAt(this.root, column.element, i);
      list.tasks.forEach((task, j) => {
        seenTasks.add(task.id);
        let card = this.cards.get(task.id);
        if (card) {
          card.update(task);
        } else {
          card = new Card(task, this.env);
          this.cards.set(task.id, card);
        }
        placeAt(column.cards, card.element, j);
      });
      while (column.cards.children.length > list.tasks.length) {
        column.cards.lastElementChild.remove(); // moved to another list (placed again below) or deleted
      }
    });
    for (const [taskId, card] of this.cards) {
      if (!seenTasks.has(taskId)) {
        card.element.remove();
        this.cards.delete(taskId);
      }
    }
    for (const [listId, column] of this.columns) {
      if (!seenLists.has(listId)) {
        column.element.remove();
        this.columns.delete(listId);
      }
    }
    this.refreshTyping();
    this.#restoreFocus(focused, focusedColumn);
  }

  /** Where a task is: its list, its index there, how many the list has, and every list (for moves). */
  where(taskId) {
    const lists = this.state?.lists ?? [];
    for (const list of lists) {
      const index = list.tasks.findIndex((t) => t.id === taskId);
      if (index >= 0) {
        return { listId: list.id, index, count: list.tasks.length, lists };
      }
    }
    return { listId: null, index: -1, count: 0, lists };
  }

  card(taskId) {
    return this.cards.get(taskId);
  }

  refreshTyping() {
    for (const [taskId, card] of this.cards) {
      card.showTyping(this.env.typingOn(taskId));
    }
  }

  #column(list) {
    const element = document.createElement("section");
    element.className = "column";
    element.dataset.listId = list.id;
    const header = document.createElement("header");
    header.className = "column-header";
    const name = document.createElement("h2");
    name.id = `column-${++columnNumber}`;
    element.setAttribute("aria-labelledby", name.id);
    const count = document.createElement("span");
    count.className = "count";
    count.dataset.count = "";
    header.append(name, count);
    const cards = document.createElement("ol");
    cards.className = "cards";
    cards.setAttribute("aria-labelledby", name.id);

    const form = document.createElement("form");
    form.className = "add-card";
    form.dataset.form = "create-task";
    const input = document.createElement("input");
    input.name = "title";
    input.placeholder = "Add a card…";
    input.autocomplete = "off";
    const add = document.createElement("button");
    add.type = "submit";
    add.className = "secondary";
    add.textContent = "Add";
    form.append(input, add);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const title = input.value.trim();
      if (title) {
        input.value = "";
        this.actions.create(list.id, title);
      }
      input.focus();
    });

    element.append(header, cards, form);
    const column = { element, name, count, cards, input };
    this.columns.set(list.id, column);
    return column;
  }

  // Moving an element in the document takes the focus off it: give it back, or when its card is gone, to the
  // next card of its column (or the column's new-card field), so that a keyboard user is never dropped.
  #restoreFocus(focused, listId) {
    if (!focused || focused === document.body || document.activeElement === focused) {
      return;
    }
    if (focused.isConnected) {
      focused.focus({ preventScroll: true });
      return;
    }
    const column = this.columns.get(listId);
    if (column && (document.activeElement === document.body || document.activeElement === null)) {
      const next = column.cards.querySelector(".card-open:not([disabled])") ?? column.input;
      next.focus({ preventScroll: true });
    }
  }
}

function placeAt(parent, child, index) {
  const current = parent.children[index];
  if (current !== child) {
    parent.insertBefore(child, current ?? null);
  }
}

function setText(element, text) {
  if (element.textContent !== text) {
    element.textContent = text;
  }
}
