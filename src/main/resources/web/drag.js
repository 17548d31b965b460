// Moving cards by dragging, with Pointer Events (mouse, pen, and touch after a short press, so that a finger can
// still scroll the board): the card follows the pointer as a ghost, a line shows where it will land, and the drop
// asks for the move. Escape cancels. The HTML drag-and-drop API is not used: it knows no touch, and test drivers
// cannot drive it.

const MOUSE_SLOP = 5; // px a mouse must move, button down, before a press becomes a drag
const TOUCH_PRESS_MS = 300; // a finger held this long on a card picks it up
const TOUCH_SLOP = 8; // a finger that moves more before that is scrolling
const EDGE = 48; // px from the board's edge where a drag scrolls it

export class CardDragging {
  /**
   * `board`: the `[data-columns]` element (it scrolls sideways); `canDrag(card)`: whether a card element may be
   * picked up now; `drop(taskId, listId, position)`: called once for a drop that changes something.
   */
  constructor(board, canDrag, drop) {
    this.board = board;
    this.canDrag = canDrag;
    this.drop = drop;
    this.press = null;
    this.drag = null;
    this.swallowClick = false;
    this.onMove = (e) => this.#move(e);
    this.onUp = (e) => this.#up(e);
    this.onCancel = (e) => this.#cancel(e);
    this.onKey = (e) => {
      if (e.key === "Escape" && this.drag) {
        e.preventDefault();
        this.#end(false);
      }
    };
    this.onTouchMove = (e) => {
      if (this.drag) {
        e.preventDefault(); // the finger moves the card, not the page
      }
    };
    board.addEventListener("pointerdown", (e) => this.#down(e));
    // the click that ends a drag must not open the card's editor
    board.addEventListener("click", (e) => {
      if (this.swallowClick) {
        e.preventDefault();
        e.stopPropagation();
      }
    }, true);
    document.addEventListener("touchmove", this.onTouchMove, { passive: false });
  }

  #down(e) {
    if (this.press || !e.isPrimary || e.button !== 0) {
      return;
    }
    const card = e.target.closest(".card[data-task-id]");
    if (!card || e.target.closest(".card-menu-button, .card-menu, .card-editor") || !this.canDrag(card)) {
      return;
    }
    this.press = { card, pointerId: e.pointerId, x: e.clientX, y: e.clientY, touch: e.pointerType === "touch" };
    if (this.press.touch) {
      this.press.timer = setTimeout(() => this.#start(this.press.x, this.press.y), TOUCH_PRESS_MS);
    }
    document.addEventListener("pointermove", this.onMove);
    document.addEventListener("pointerup", this.onUp);
    document.addEventListener("pointercancel", this.onCancel);
    document.addEventListener("keydown", this.onKey);
  }

  #move(e) {
    if (!this.press || e.pointerId !== this.press.pointerId) {
      return;
    }
    if (!this.drag) {
      const distance = Math.hypot(e.clientX - this.press.x, e.clientY - this.press.y);
      if (this.press.touch) {
        if (distance > TOUCH_SLOP) {
          this.#end(false); // scrolling, not dragging
        }
        return;
      }
      if (distance < MOUSE_SLOP) {
        return;
      }
      this.#start(this.press.x, this.press.y);
    }
    e.preventDefault();
    this.#follow(e.clientX, e.clientY);
  }

  #start(x, y) {
    const card = this.press.card;
    clearTimeout(this.press.timer);
    if (!card.isConnected || !this.canDrag(card)) {
      this.#end(false);
      return;
    }
    const box = card.getBoundingClientRect();
    const ghost = card.cloneNode(true);
    ghost.classList.add("drag-ghost");
    ghost.removeAttribute("data-task-id");
    ghost.setAttribute("aria-hidden", "true");
    ghost.style.width = `${box.width}px`;
    document.body.append(ghost);
    const indicator = document.createElement("div");
    indicator.className = "drop-indicator";
    indicator.setAttribute("aria-hidden", "true");
    card.classList.add("dragging");
    document.body.classList.add("is-dragging");
    this.drag = { card, ghost, indicator, dx: x - box.left, dy: y - box.top, target: null };
    this.#follow(x, y);
  }

  #follow(x, y) {
    const { ghost, dx, dy } = this.drag;
    ghost.style.transform = `translate(${x - dx}px, ${y - dy}px)`;
    const area = this.board.getBoundingClientRect();
    if (x < area.left + EDGE) {
      this.board.scrollLeft -= 12;
    } else if (x > area.right - EDGE) {
      this.board.scrollLeft += 12;
    }
    this.drag.target = this.#target(x, y);
    this.#showIndicator(this.drag.target);
  }

  /** The column under (x, y) and the index the card would take among its other cards. */
  #target(x, y) {
    const column = document.elementFromPoint(x, y)?.closest("[data-list-id]");
    if (!column || !this.board.contains(column)) {
      return null;
    }
    const cards = [...column.querySelectorAll(".cards > .card")].filter((c) => c !== this.drag.card);
    let index = cards.length;
    for (let i = 0; i < cards.length; i++) {
      const box = cards[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) {
        index = i;
        break;
      }
    }
    return { column, listId: column.dataset.listId, index, before: cards[index] ?? null, after: cards[index - 1] ?? null };
  }

  #showIndicator(target) {
    const { indicator } = this.drag;
    if (!target) {
      indicator.remove();
      return;
    }
    const list = target.column.querySelector(".cards");
    if (indicator.parentElement !== target.column) {
      target.column.append(indicator);
    }
    const columnBox = target.column.getBoundingClientRect();
    let top;
    if (target.before) {
      top = target.before.getBoundingClientRect().top - 5;
    } else if (target.after) {
      top = target.after.getBoundingClientRect().bottom + 3;
    } else {
      top = list.getBoundingClientRect().top + 2;
    }
    indicator.style.transform = `translateY(${top - columnBox.top}px)`;
  }

  #up(e) {
    if (this.press && e.pointerId === this.press.pointerId) {
      this.#end(this.drag !== null);
    }
  }

  #cancel(e) {
    if (this.press && e.pointerId === this.press.pointerId) {
      this.#end(false);
    }
  }

  #end(dropped) {
    const press = this.press;
    const drag = this.drag;
    this.press = null;
    this.drag = null;
    clearTimeout(press?.timer);
    document.removeEventListener("pointermove", this.onMove);
    document.removeEventListener("pointerup", this.onUp);
    document.removeEventListener("pointercancel", this.onCancel);
    document.removeEventListener("keydown", this.onKey);
    if (!drag) {
      return;
    }
    drag.ghost.remove();
    drag.indicator.remove();
    drag.card.classList.remove("dragging");
    document.body.classList.remove("is-dragging");
    this.swallowClick = true;
    setTimeout(() => { this.swallowClick = false; }, 0);
    if (dropped && drag.target) {
      this.drop(drag.card.dataset.taskId, drag.target.listId, drag.target.index);
    }
  }
}
