// One card: its title and description (a button that opens the editor), its menu, its editor, and what it
// shows about itself — pending (own change not yet confirmed), highlighted (changed by someone else), who is
// typing on it. Hooks: data-task-id, data-card-title, data-card-description, data-pending while pending,
// data-highlight while highlighted.

import { CardEditor } from "./card-editor.js";
import { CardMenu, button } from "./card-menu.js";

const HIGHLIGHT_MS = 1500;
const PREVIEW_CHARS = 140;

export class Card {
  /**
   * `env` = {actions, where(taskId) → {listId, index, count, lists}, typingOn(taskId) → [name]}: what the card
   * needs of the board around it.
   */
  constructor(task, env) {
    this.env = env;
    this.element = document.createElement("li");
    this.element.className = "card";
    this.open = button("", "edit", "card-open");
    this.titleText = document.createElement("span");
    this.titleText.className = "card-title";
    this.titleText.dataset.cardTitle = "";
    this.descriptionText = document.createElement("span");
    this.descriptionText.className = "card-description";
    this.descriptionText.dataset.cardDescription = "";
    this.status = document.createElement("span");
    this.status.className = "card-status";
    this.open.append(this.titleText, this.descriptionText, this.status);
    this.typingText = document.createElement("span");
    this.typingText.className = "card-typing";
    this.typingText.dataset.cardTyping = "";
    this.typingText.hidden = true;
    this.menu = new CardMenu(this);
    this.editor = new CardEditor(this);
    this.element.append(this.open, this.typingText, this.menu.button, this.menu.menu, this.editor.form);
    this.open.addEventListener("click", () => this.edit());
    this.highlightTimer = null;
    this.update(task);
  }

  /** Shows `task` (as the board's state has it now). */
  update(task) {
    this.task = task;
    this.element.dataset.taskId = task.id;
    setText(this.titleText, task.title);
    const description = task.description ?? "";
    setText(this.descriptionText, description.length > PREVIEW_CHARS
      ? `${description.slice(0, PREVIEW_CHARS)}…` : description);
    this.descriptionText.hidden = description === "";
    const pending = task.pending === true;
    this.element.classList.toggle("pending", pending);
    toggleData(this.element, "pending", pending);
    setText(this.status, pending ? "Saving…" : "");
    // a card just created here has a temporary id until the server confirms it: nothing to edit or move yet
    const unconfirmed = task.id.startsWith("tmp-");
    this.open.disabled = unconfirmed;
    this.menu.button.disabled = unconfirmed;
    this.menu.label(task.title);
  }

  /** Shows who is typing on this card (names), when the server tells which card they edit. */
  showTyping(names) {
    const text = names.length === 0 ? "" : `${names.join(", ")} ${names.length === 1 ? "is" : "are"} typing…`;
    setText(this.typingText, text);
    this.typingText.hidden = text === "";
  }

  /** Marks the card as changed by someone else for 1.5 s. */
  highlight() {
    this.element.classList.remove("highlight");
    void this.element.offsetWidth; // restart the animation
    this.element.classList.add("highlight");
    this.element.dataset.highlight = "";
    clearTimeout(this.highlightTimer);
    this.highlightTimer = setTimeout(() => {
      this.element.classList.remove("highlight");
      delete this.element.dataset.highlight;
    }, HIGHLIGHT_MS);
  }

  edit() {
    if (!this.task.id.startsWith("tmp-")) {
      this.menu.close(false);
      this.editor.open();
    }
  }

  get busy() {
    return this.editor.isOpen || this.menu.isOpen;
  }

  focus() {
    this.open.focus();
  }
}

function setText(element, text) {
  if (element.textContent !== text) {
    element.textContent = text;
  }
}

function toggleData(element, name, on) {
  if (on) {
    element.dataset[name] = "";
  } else {
    delete element.dataset[name];
  }
}
