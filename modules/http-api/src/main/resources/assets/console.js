// Shared by the console and the maintenance panel: sign-in, the token, authenticated fetches.
const Console = {
  token() { return sessionStorage.getItem("token"); },
  claims() {
    const t = this.token();
    if (!t) return null;
    try { return JSON.parse(atob(t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))); } catch (e) { return null; }
  },
  async signIn(tenant, username, password) {
    const form = new URLSearchParams({ grant_type: "password", username, password });
    if (tenant) form.set("tenant", tenant);
    const response = await fetch("/identity/connect/token", { method: "POST", body: form });
    const body = await response.json();
    if (!response.ok) throw new Error(body.message || "sign-in failed");
    sessionStorage.setItem("token", body.access_token);
  },
  signOut() { sessionStorage.removeItem("token"); location.reload(); },
  /** A JSON call with the token; a maintenance refusal reloads the page (the server shows why). */
  async api(method, path) {
    const response = await fetch(path, { method, headers: { Authorization: "Bearer " + this.token() } });
    if (response.status === 401) { this.signOut(); throw new Error("signed out"); }
    const text = await response.text();
    const body = text ? JSON.parse(text) : {};
    if (response.status === 503 && body.code === "MAINTENANCE") { location.reload(); throw new Error("maintenance"); }
    if (!response.ok) throw new Error(body.message || ("HTTP " + response.status));
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
  wireSignIn(onDone) {
    document.getElementById("sign-in-form").addEventListener("submit", async event => {
      event.preventDefault();
      const value = id => document.getElementById(id).value.trim();
      try {
        await Console.signIn(value("tenant"), value("username"), document.getElementById("password").value);
        onDone();
      } catch (e) { document.getElementById("sign-in-error").textContent = e.message; }
    });
  }
};
