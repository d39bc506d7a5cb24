// Shared by the console and the maintenance panel: sign-in, the token, authenticated fetches.
const Console = {
  token() { return sessionStorage.getItem("token"); },
  /** The signed-in user's token claims; null when nobody is signed in or the token has expired. */
  claims() {
    const t = this.token();
    if (!t) return null;
    try {
      const claims = JSON.parse(atob(t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
      return claims.exp && claims.exp * 1000 <= Date.now() ? null : claims;
    } catch (e) { return null; }
  },
  /** Signs in (the password goes in a POST body, never in a URL); a refusal throws a message for people. */
  async signIn(tenant, username, password) {
    const form = new URLSearchParams({ grant_type: "password", username, password });
    if (tenant) form.set("tenant", tenant);
    let response;
    try {
      response = await fetch("/identity/connect/token", { method: "POST", body: form });
    } catch (e) { throw new Error("The server cannot be reached. Check the address and try again."); }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw this.signInRefusal(response, body);
    sessionStorage.setItem("token", body.access_token);
  },
  signInRefusal(response, body) {
    const wait = Math.max(1, Number(response.headers.get("Retry-After")) || 1);
    const error = new Error(
      response.status === 401 ? "Wrong tenant, user name or password." :
      response.status === 429 ? `Too many failed sign-ins from this address or for this account. Try again in ${wait} s.` :
      response.status === 503 ? `The server is busy. Try again in ${wait} s.` :
      body.message || `Sign-in failed (HTTP ${response.status}).`);
    if (response.status === 429 || response.status === 503) error.retryAfter = wait;
    return error;
  },
  signOut() { sessionStorage.removeItem("token"); location.reload(); },
  /** A JSON call with the token; a maintenance refusal reloads the page (the server shows why). */
  async api(method, path) {
    const response = await fetch(path, { method, headers: { Authorization: "Bearer " + this.token() } });
    if (response.status === 401) { this.signOut(); throw new Error("signed out"); }
    const text = await response.text();
    const body = text ? JSON.parse(text) : {};
    if (response.status === 503 && body.code === "MAINTENANCE") { location.reload(); throw new Error("maintenance"); }
    if (!response.ok) {
      const error = new Error(body.message || ("HTTP " + response.status));
      error.status = response.status;
      error.body = body;
      throw error;
    }
    return body;
  },
  /** A cell from text, or from {text, className, title}. */
  cell(row, value) {
    const td = document.createElement("td");
    const v = value != null && typeof value === "object" ? value : { text: value };
    td.textContent = v.text == null ? "" : String(v.text);
    if (v.className) td.className = v.className;
    if (v.title) td.title = v.title;
    row.appendChild(td);
  },
  /** Replaces the rows; with no items and an emptyText, one row says so instead of an empty table. */
  fill(tbodyId, items, columns, emptyText) {
    const tbody = document.getElementById(tbodyId);
    if (items.length === 0 && emptyText) {
      const tr = document.createElement("tr"); const td = document.createElement("td");
      td.colSpan = columns.length; td.className = "empty"; td.textContent = emptyText; tr.appendChild(td);
      tbody.replaceChildren(tr);
      return;
    }
    tbody.replaceChildren(...items.map(item => { const tr = document.createElement("tr"); columns.forEach(c => Console.cell(tr, c(item))); return tr; }));
  },
  /** A time as people read it (local, to the second), the ISO value as its title. */
  time(iso) { return iso ? { text: new Date(iso).toLocaleString(), title: iso } : ""; },
  /** 75 -> "1m 15s". */
  duration(seconds) {
    const s = Math.max(0, Math.round(seconds)); const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + "h " : "") + (h || m ? m + "m " : "") + (s % 60) + "s";
  },
  /** Wires a sign-in form; after a 429 or 503 its button waits out Retry-After, counting down. */
  wireSignIn(onDone) {
    const form = document.getElementById("sign-in-form");
    const message = document.getElementById("sign-in-error");
    form.addEventListener("submit", async event => {
      event.preventDefault();
      const value = id => document.getElementById(id).value.trim();
      const button = form.querySelector("button[type=submit]");
      message.textContent = "";
      button.disabled = true;
      try {
        await Console.signIn(value("tenant"), value("username"), document.getElementById("password").value);
        button.disabled = false;
        onDone();
      } catch (e) {
        message.textContent = e.message;
        if (!e.retryAfter) { button.disabled = false; return; }
        let left = e.retryAfter;
        const tick = setInterval(() => {
          left -= 1;
          if (left > 0) { message.textContent = e.message.replace(/\d+ s\.$/, left + " s."); return; }
          clearInterval(tick);
          button.disabled = false;
          message.textContent = e.message.replace(/Try again in \d+ s\.$/, "You can try again now.");
        }, 1000);
      }
    });
  }
};
