// The tab's token for servers started with --auth token: taken once from ?token= in the address (then removed
// from it), kept in sessionStorage for the tab, and asked of the person with a form when the server refuses.

const KEY = "liveboard.token";

/** The token to start with: `?token=` from the address (kept, and removed from the address bar), or the tab's. */
export function initialToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl) {
    url.searchParams.delete("token");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
    saveToken(fromUrl);
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(KEY) || undefined;
  } catch {
    return undefined;
  }
}

export function saveToken(token) {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // storage refused (a sandboxed frame): the token still works until the tab is reloaded
  }
}

/** What to tell the person about a refusal {status, code?, message}: plain words, never a dead page. */
export function refusalMessage(error, hadToken) {
  if (error.status === 403) {
    return "You may not open this board.";
  }
  if (/expired/i.test(error.message ?? "")) {
    return "Your token has expired — paste a new one.";
  }
  return hadToken ? "That token was not accepted — paste a new one."
    : "This server needs a token — paste yours to go on.";
}

/**
 * The token form (`[data-token-form]` in the page): shows `message`, and on submit keeps the token for the tab,
 * hides itself and calls `onToken(token)`.
 */
export class TokenForm {
  constructor(form, onToken) {
    this.form = form;
    this.message = form.querySelector("[data-auth-message]");
    this.input = form.querySelector("input[name=token]");
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const token = this.input.value.trim();
      if (!token) {
        this.input.focus();
        return;
      }
      saveToken(token);
      this.input.value = "";
      this.hide();
      onToken(token);
    });
  }

  ask(message) {
    this.message.textContent = message;
    const wasHidden = this.form.hidden;
    this.form.hidden = false;
    if (wasHidden) {
      this.input.focus();
    }
  }

  hide() {
    this.form.hidden = true;
  }
}
