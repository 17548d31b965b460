// Who is viewing the board ("Alice, Bob viewing"; in a crowd "Alice, Bob and 1,985 others viewing") and who is
// typing ("Alice is typing…"). Hooks: [data-presence] holds a [data-user-id] per user named.

const NAMED = 8;
// A typing notice the server never ended (a lost stop_typing) goes after this long; the server itself ends
// a typing after 5 s without another.
const TYPING_MS = 8000;
const numbers = new Intl.NumberFormat("en-US");

export class PresenceBar {
  /** `element`: the `[data-presence]` element; `typingLine`: the `[data-typing-line]` element. */
  constructor(element, typingLine) {
    this.element = element;
    this.typingLine = typingLine;
    this.users = [];
    this.total = 0;
    this.typing = new Map(); // userId → {name, taskId, timer}
    this.onTypingChange = () => {};
  }

  /** The whole current list, p = {users: [{userId, name}], total}. */
  show(presence) {
    this.users = presence.users ?? [];
    this.total = Math.max(presence.total ?? 0, this.users.length);
    this.#render();
  }

  /** t = {user: {userId, name}, typing: boolean, taskId?}. */
  typingChanged(t) {
    const previous = this.typing.get(t.user.userId);
    if (previous) {
      clearTimeout(previous.timer);
      this.typing.delete(t.user.userId);
    }
    if (t.typing) {
      const timer = setTimeout(() => this.typingChanged({ user: t.user, typing: false }), TYPING_MS);
      this.typing.set(t.user.userId, { name: t.user.name, taskId: t.taskId, timer });
    }
    this.#render();
    this.onTypingChange();
  }

  /** Who is typing on the card `taskId` (when the server says which card), as names. */
  typingOn(taskId) {
    return [...this.typing.values()].filter((t) => t.taskId === taskId).map((t) => t.name);
  }

  #render() {
    const named = this.users.slice(0, NAMED);
    const others = this.total - named.length;
    const parts = [];
    named.forEach((user, i) => {
      if (i > 0) {
        parts.push(", ");
      }
      const span = document.createElement("span");
      span.className = "viewer";
      span.dataset.userId = user.userId;
      span.textContent = user.name;
      if (this.typing.has(user.userId)) {
        span.dataset.typing = "";
      }
      parts.push(span);
    });
    if (named.length === 0) {
      parts.push(others > 0 ? `${numbers.format(others)} viewing` : "");
    } else {
      parts.push(others > 0 ? ` and ${numbers.format(others)} ${others === 1 ? "other" : "others"} viewing` : " viewing");
    }
    this.element.replaceChildren(...parts);

    const names = [...this.typing.values()].map((t) => t.name);
    this.typingLine.textContent = names.length === 0 ? ""
      : names.length === 1 ? `${names[0]} is typing…`
        : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} are typing…`;
  }
}
