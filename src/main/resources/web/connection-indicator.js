// The connection indicator: says what the client's status says, no more and no less, with the countdown to the
// next try while reconnecting. Hooks: data-transport (websocket|sse|longpoll|poll), data-state
// (live|connecting|offline).

const NAMES = { websocket: "WebSocket", sse: "SSE", longpoll: "long polling", poll: "polling" };

export class ConnectionIndicator {
  /** `element`: the `[data-connection]` element, holding a `[data-connection-text]`. */
  constructor(element) {
    this.element = element;
    this.text = element.querySelector("[data-connection-text]");
    this.status = null;
    this.ticker = null;
  }

  /** Shows the client's status (see client.status). */
  show(status) {
    this.status = status;
    this.element.dataset.transport = status.transport;
    this.element.dataset.state = status.state;
    this.element.title = status.error?.message ? `Last error: ${status.error.message}` : "";
    this.#render();
    const counting = status.state === "connecting" && status.retryAt != null;
    if (counting && !this.ticker) {
      this.ticker = setInterval(() => this.#render(), 250);
    } else if (!counting && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  #render() {
    const text = describe(this.status);
    if (this.text.textContent !== text) {
      this.text.textContent = text;
    }
  }
}

/** "Live (WebSocket)", "Reconnecting in 4 s…", "Connecting…", "Offline". */
export function describe(status) {
  if (status.state === "live") {
    return `Live (${NAMES[status.transport] ?? status.transport})`;
  }
  if (status.state === "offline") {
    return "Offline";
  }
  if (status.retryAt != null) {
    const seconds = Math.ceil((status.retryAt - Date.now()) / 1000);
    return seconds > 0 ? `Reconnecting in ${seconds} s…` : "Reconnecting…";
  }
  return "Connecting…";
}
