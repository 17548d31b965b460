// A card's menu, the keyboard's way to do what dragging does: "Move up", "Move down", "Move to <list>" for
// each other list, "Edit", and "Delete…" with a second step to confirm. Arrow keys move between items, Escape
// closes it and gives the focus back to its button. Hooks: data-action="menu" (the button), and on the items
// data-action="edit" | "move-up" | "move-down" | "move-to" (with data-target-list="<listId>") | "delete",
// then "confirm-delete" | "cancel-delete".

export class CardMenu {
  /** `card`: the Card this menu belongs to (its element, task and environment). */
  constructor(card) {
    this.card = card;
    this.button = button("⋯", "menu", "card-menu-button icon-button");
    this.button.setAttribute("aria-haspopup", "menu");
    this.button.setAttribute("aria-expanded", "false");
    this.menu = document.createElement("div");
    this.menu.className = "card-menu";
    this.menu.setAttribute("role", "menu");
    this.menu.hidden = true;
    this.outside = (e) => {
      if (!this.menu.contains(e.target) && !this.button.contains(e.target)) {
        this.close(false);
      }
    };
    this.place = () => this.#place();
    this.button.addEventListener("click", () => (this.isOpen ? this.close(true) : this.open()));
    this.menu.addEventListener("click", (e) => this.#choose(e.target.closest("button")));
    this.menu.addEventListener("keydown", (e) => this.#key(e));
    this.menu.addEventListener("focusout", (e) => {
      if (this.isOpen && e.relatedTarget && !this.menu.contains(e.relatedTarget) && e.relatedTarget !== this.button) {
        this.close(false);
      }
    });
  }

  get isOpen() {
    return !this.menu.hidden;
  }

  /** Names the button after the card's title, for screen readers. */
  label(title) {
    this.button.setAttribute("aria-label", `Actions for “${title}”`);
  }

  open() {
    const { listId, index, count, lists } = this.card.env.where(this.card.task.id);
    const items = [
      item("Edit", "edit"),
      item("Move up", "move-up", index <= 0),
      item("Move down", "move-down", index >= count - 1),
      ...lists.filter((l) => l.id !== listId).map((l) => {
        const to = item(`Move to ${l.name}`, "move-to");
        to.dataset.targetList = l.id;
        return to;
      }),
      item("Delete…", "delete"),
    ];
    this.menu.replaceChildren(...items);
    this.menu.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    this.card.element.classList.add("menu-open");
    document.addEventListener("pointerdown", this.outside, true);
    addEventListener("scroll", this.place, true);
    addEventListener("resize", this.place);
    this.#place();
    this.#items()[0].focus({ preventScroll: true });
  }

  // The menu is position: fixed (a column that scrolls its cards would clip it), placed under its button, or
  // above it when there is no room below, and kept in the window.
  #place() {
    const anchor = this.button.getBoundingClientRect();
    const width = this.menu.offsetWidth;
    const height = this.menu.offsetHeight;
    const left = Math.max(4, Math.min(anchor.right - width, innerWidth - width - 4));
    const below = anchor.bottom + 4;
    const top = below + height <= innerHeight - 4 ? below : Math.max(4, anchor.top - height - 4);
    this.menu.style.left = `${left}px`;
    this.menu.style.top = `${top}px`;
  }

  /** Closes the menu; `refocus`: give the focus back to the menu's button. */
  close(refocus) {
    if (!this.isOpen) {
      return;
    }
    this.menu.hidden = true;
    this.menu.replaceChildren();
    this.button.setAttribute("aria-expanded", "false");
    this.card.element.classList.remove("menu-open");
    document.removeEventListener("pointerdown", this.outside, true);
    removeEventListener("scroll", this.place, true);
    removeEventListener("resize", this.place);
    if (refocus) {
      this.button.focus();
    }
  }

  #items() {
    return [...this.menu.querySelectorAll("button:not([disabled])")];
  }

  #choose(chosen) {
    if (!chosen || chosen.disabled) {
      return;
    }
    const { actions, where } = this.card.env;
    const task = this.card.task;
    const { index } = where(task.id);
    switch (chosen.dataset.action) {
      case "edit":
        this.close(false);
        this.card.edit();
        return;
      case "move-up":
        this.close(true);
        actions.move(task, task.listId, index - 1);
        return;
      case "move-down":
        this.close(true);
        actions.move(task, task.listId, index + 1);
        return;
      case "move-to":
        this.close(true);
        actions.move(task, chosen.dataset.targetList, undefined);
        return;
      case "delete": {
        const question = document.createElement("p");
        question.className = "menu-question";
        question.textContent = `Delete “${task.title}”?`;
        const confirm = item("Delete", "confirm-delete");
        confirm.classList.add("danger");
        this.menu.replaceChildren(question, confirm, item("Cancel", "cancel-delete"));
        this.#place();
        confirm.focus({ preventScroll: true });
        return;
      }
      case "confirm-delete":
        this.close(false);
        actions.remove(task);
        return;
      case "cancel-delete":
        this.close(true);
        return;
      default:
    }
  }

  #key(e) {
    const items = this.#items();
    const at = items.indexOf(document.activeElement);
    let next = null;
    switch (e.key) {
      case "ArrowDown":
        next = items[(at + 1) % items.length];
        break;
      case "ArrowUp":
        next = items[(at - 1 + items.length) % items.length];
        break;
      case "Home":
        next = items[0];
        break;
      case "End":
        next = items[items.length - 1];
        break;
      case "Escape":
        e.preventDefault();
        e.stopPropagation();
        this.close(true);
        return;
      case "Tab":
        this.close(false);
        return;
      default:
        return;
    }
    e.preventDefault();
    next?.focus();
  }
}

function item(text, action, disabled = false) {
  const b = button(text, action, "menu-item");
  b.setAttribute("role", "menuitem");
  b.disabled = disabled;
  return b;
}

export function button(text, action, className) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.dataset.action = action;
  b.textContent = text;
  return b;
}
