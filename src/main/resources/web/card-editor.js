// A card's inline editor: title and description, Save (or Enter in the title) and Cancel (or Escape). While
// the person types the others see "… is typing…" (board.typing(true), renewed every few seconds while input
// goes on, since the server ends a typing after 5 s without another), ended on save, cancel or leaving the form.
// Hooks: data-form="edit-task" with inputs name="title" and name="description", data-action="save" | "cancel".

import { button } from "./card-menu.js";

const TYPING_RENEW_MS = 3000;

export class CardEditor {
  /** `card`: the Card being edited. */
  constructor(card) {
    this.card = card;
    this.typingSince = 0;
    this.form = document.createElement("form");
    this.form.className = "card-editor";
    this.form.dataset.form = "edit-task";
    this.form.hidden = true;
    this.title = document.createElement("input");
    this.title.name = "title";
    this.title.required = true;
    this.title.autocomplete = "off";
    this.description = document.createElement("textarea");
    this.description.name = "description";
    this.description.rows = 3;
    const save = button("Save", "save", "primary");
    save.type = "submit";
    const cancel = button("Cancel", "cancel", "secondary");
    const buttons = document.createElement("div");
    buttons.className = "editor-actions";
    buttons.append(save, cancel);
    this.form.append(labelled("Title", this.title), labelled("Description", this.description), buttons);

    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.#save();
    });
    cancel.addEventListener("click", () => this.close());
    this.form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        this.close();
      }
    });
    this.form.addEventListener("input", () => this.#typing());
    this.form.addEventListener("focusout", (e) => {
      if (!this.form.contains(e.relatedTarget)) {
        this.#stopTyping();
      }
    });
  }

  get isOpen() {
    return !this.form.hidden;
  }

  open() {
    const task = this.card.task;
    this.original = { title: task.title, description: task.description ?? "" };
    this.title.value = this.original.title;
    this.description.value = this.original.description;
    this.form.hidden = false;
    this.card.element.classList.add("editing");
    this.title.focus();
    this.title.select();
  }

  /** Closes without saving; the focus goes back to the card. */
  close() {
    if (!this.isOpen) {
      return;
    }
    this.#stopTyping();
    this.form.hidden = true;
    this.card.element.classList.remove("editing");
    this.card.focus();
  }

  #save() {
    const title = this.title.value;
    const description = this.description.value;
    const changes = {};
    if (title.trim() !== this.original.title) {
      changes.title = title;
    }
    if (description !== this.original.description) {
      changes.description = description;
    }
    const task = this.card.task;
    this.close();
    if (Object.keys(changes).length > 0) {
      this.card.env.actions.update(task, changes);
    }
  }

  #typing() {
    const now = Date.now();
    if (now - this.typingSince >= TYPING_RENEW_MS) {
      this.typingSince = now;
      this.card.env.actions.typing(true, this.card.task.id);
    }
  }

  #stopTyping() {
    if (this.typingSince !== 0) {
      this.typingSince = 0;
      this.card.env.actions.typing(false, this.card.task.id);
    }
  }
}

function labelled(text, control) {
  const label = document.createElement("label");
  label.className = "field";
  const name = document.createElement("span");
  name.textContent = text;
  label.append(name, control);
  return label;
}
