// What the page tells the person besides the board itself: errors in a dismissible alert region, and remote
// changes announced to screen readers in an aria-live="polite" region.

const MAX_ALERTS = 3;
const ANNOUNCEMENT_MS = 10_000;

export class Notices {
  /** `alerts`: the `[data-alerts]` element; `announcer`: the `[data-announcer]` element (aria-live="polite"). */
  constructor(alerts, announcer) {
    this.alerts = alerts;
    this.announcer = announcer;
    alerts.addEventListener("click", (e) => {
      const dismiss = e.target.closest("[data-action=dismiss]");
      if (dismiss) {
        dismiss.closest("[data-alert]").remove();
      }
    });
  }

  /** Shows an error until dismissed (the oldest goes when there are more than three). */
  error(text) {
    const alert = document.createElement("div");
    alert.className = "alert";
    alert.dataset.alert = "";
    alert.setAttribute("role", "alert");
    const message = document.createElement("p");
    message.textContent = text;
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.dataset.action = "dismiss";
    dismiss.className = "icon-button";
    dismiss.setAttribute("aria-label", "Dismiss");
    dismiss.textContent = "×";
    alert.append(message, dismiss);
    this.alerts.append(alert);
    while (this.alerts.children.length > MAX_ALERTS) {
      this.alerts.firstElementChild.remove();
    }
  }

  /** Says `text` politely to screen readers (visually hidden); each announcement is a new line, gone after 10 s. */
  announce(text) {
    const line = document.createElement("p");
    line.textContent = text;
    this.announcer.append(line);
    setTimeout(() => line.remove(), ANNOUNCEMENT_MS);
  }
}
