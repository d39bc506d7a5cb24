// The host administrator's maintenance panel: reachable in every phase (the gate keeps it open).
// Live from the event stream /api/Maintenance/Events, read with fetch() so that the token travels in
// the Authorization header (EventSource cannot send headers, and a token in a URL would end up in
// logs); when the stream is not available the panel polls Get every second and retries the stream.
const Panel = { setting: null, progress: null, skewMs: 0, stream: null, poller: null, returnPoller: null };
// what End brings back, and what it does not: nothing stopped for the window starts again by itself
const AFTER_END = "New jobs can start and schedules fire again from their next time. Jobs stopped or killed in "
  + "this window stay ended, and skipped fires are not run (a schedule set to RunOnce runs one of them).";

function show() {
  const claims = Console.claims();
  const host = claims && claims.role === "HostAdministrator";
  document.getElementById("sign-in").hidden = host;
  document.getElementById("panel").hidden = !host;
  document.getElementById("sign-out").hidden = !claims;
  if (claims) document.getElementById("who").textContent = claims.name + " (" + claims.role + ")";
  if (claims && !host) document.getElementById("sign-in-error").textContent = "Maintenance is for the host administrator.";
  if (host) { refresh(); connect(); }
}
const $ = id => document.getElementById(id);
const serverNow = () => Date.now() + Panel.skewMs;
const ago = iso => Console.duration((serverNow() - Date.parse(iso)) / 1000) + " ago";

/** Reads Get (the whole setting, with the progress when a window exists). */
async function refresh() {
  if (!Console.claims()) return;
  try {
    const s = await Console.api("GET", "/api/Maintenance/Get");
    Panel.setting = s;
    renderTenantWindows(s.tenantWindows || []);
    // not awaited: the state and the progress are drawn whether or not the list answers
    Console.api("GET", "/api/Maintenance/Exemptions").then(list => renderExemptions(list, s.tenants || []))
      .catch(() => { /* drawn again at the next phase event */ });
    if (s.progress) observe(s.progress);
    else { Panel.progress = null; render(); }
  } catch (e) { /* retried by the next poll or event */ }
}
function observe(progress) {
  Panel.progress = progress;
  if (progress.at) Panel.skewMs = Date.parse(progress.at) - Date.now();
  render();
}
function render() {
  const s = Panel.setting;
  if (!s) return;
  const inMaintenance = s.state !== "None";
  const p = inMaintenance && Panel.progress ? Panel.progress
    : { remaining: 0, tenants: [], ratio: 1, stopsSent: 0, killsSent: 0, draining: false };
  // the console is closed to everyone in maintenance (the host too): say so rather than lead to a 503
  const consoleLink = $("console-link");
  consoleLink.hidden = inMaintenance;
  $("console-closed").hidden = !inMaintenance;
  if (Panel.refusal && (s.state !== Panel.refusal.state || p.remaining === 0)) clearRefusal();
  const phase = $("phase");
  phase.textContent = s.state;
  phase.className = "phase phase-" + s.state;
  $("since").textContent = inMaintenance && s.phaseSince
    ? " since " + new Date(s.phaseSince).toLocaleTimeString() + " (" + ago(s.phaseSince) + ")" : "";
  $("window-line").textContent = inMaintenance && s.windowStartedAt
    ? "Maintenance window open since " + new Date(s.windowStartedAt).toLocaleString() + " (" + ago(s.windowStartedAt) + ")" : "";
  $("reason-line").textContent = inMaintenance && s.reason ? "Reason: " + s.reason : "";
  // after End, Get still describes the last window (as UiPath's does): say so, as the last one's
  const ended = !inMaintenance && s.endedAt;
  $("last-window").hidden = !ended;
  $("last-window").textContent = ended ? "Last window: " + (s.reason || "no reason given") + ", "
    + new Date(s.startedAt).toLocaleString() + " to " + new Date(s.endedAt).toLocaleString() + " (opened by "
    + s.startedBy + "): " + s.jobStopsAttempted + " stops, " + s.jobKillsAttempted + " kills, "
    + s.triggersSkipped + " fires skipped" : "";
  renderReturn(inMaintenance ? null : s.return);
  renderDeadline(inMaintenance ? s.killDeadlineAt : null);
  $("remaining").textContent = p.remaining;
  // exempt jobs run through Draining: apart from the remaining ones, and autoSuspend waits for them too
  const exempt = inMaintenance ? (p.exemptRunning || 0) : 0;
  $("exempt-line").hidden = exempt === 0;
  $("exempt-line").textContent = exempt === 0 ? "" : exempt + (exempt === 1 ? " job of an exempt process runs" : " jobs of exempt processes run")
    + " through Draining (not counted above); Suspend waits for " + (exempt === 1 ? "it" : "them") + " unless forced.";
  $("stops").textContent = p.stopsSent || 0;
  $("kills").textContent = p.killsSent || 0;
  // the estimate is up to a second old; the deadline keeps counting: never show one beyond the other
  const deadlineLeft = s.killDeadlineAt ? Math.max(0, Math.ceil((Date.parse(s.killDeadlineAt) - serverNow()) / 1000)) : Infinity;
  const eta = p.estimatedSecondsLeft == null ? null : Math.min(p.estimatedSecondsLeft, deadlineLeft);
  // stalled: no job has ended for a while although some remain; say so, not a rate that only grows
  const stalled = p.stalled && p.remaining > 0;
  $("stalled").hidden = !stalled || !inMaintenance;
  $("stalled").textContent = stalled ? "Stalled: no job has ended for " + Console.duration(p.stalledSeconds) + "; "
    + p.remaining + (p.remaining === 1 ? " job is" : " jobs are") + " not stopping. Wait, or kill them (Kill remaining jobs)"
    + (s.killDeadlineAt ? ": the kill deadline does it by itself." : ".") : "";
  $("eta").textContent = !inMaintenance || p.remaining === 0 ? ""
    : stalled && eta == null ? "; stalled"
    : eta == null ? "; no estimate yet: " + (p.estimateBasis || "unknown")
    : p.estimateBasis === "deadline" || eta < p.estimatedSecondsLeft ? "; at most " + Console.duration(eta) + " left (kill deadline)"
    : "; about " + Console.duration(eta) + " left at the rate so far";
  const percent = Math.round(100 * (p.ratio == null ? 1 : p.ratio));
  const bar = $("progress");
  bar.setAttribute("aria-valuenow", String(percent));
  bar.firstElementChild.style.width = percent + "%";
  const rows = (p.tenants || []).filter(t => t.remaining > 0);
  Console.fill("tenants", rows, [t => t.tenantName || ("tenant " + t.tenantId), t => t.remaining],
    inMaintenance ? "No jobs left: every tenant has drained." : "Not in maintenance: nothing to drain.");
  $("start-draining").disabled = s.state === "Suspended";
  // Kill applies while Draining; in Suspended the API answers 409
  $("kill").disabled = s.state !== "Draining";
  $("suspend").disabled = s.state === "Suspended";
  $("end").disabled = !inMaintenance;
}
/**
 * The fleet's return after End (Get's return): robots back of those expected, jobs still to be
 * handed out. While it is under way Get is read every 2 s (the event stream only says phases), for
 * at most ten minutes after End.
 */
function renderReturn(r) {
  const line = $("return-line");
  const s = Panel.setting;
  const underWay = r && (r.robotsBack < r.robotsBefore || r.jobsWaiting > 0)
    && s.endedAt && serverNow() - Date.parse(s.endedAt) < 600_000;
  line.hidden = !r;
  line.textContent = !r ? "" : r.robotsBack >= r.robotsBefore
    ? "Return after End: every robot is back (" + r.robotsBefore + ")"
      + (r.jobsWaiting > 0 ? "; " + r.jobsWaiting + " jobs waiting to be handed out" : "") + "."
    : "Return after End: " + r.robotsBack + " of " + r.robotsBefore + " robots back ("
      + Math.floor(100 * r.ratio) + "%); " + r.jobsWaiting + " jobs waiting to be handed out.";
  if (underWay && !Panel.returnPoller) Panel.returnPoller = setInterval(refresh, 2000);
  if (!underWay && Panel.returnPoller) { clearInterval(Panel.returnPoller); Panel.returnPoller = null; }
}
/**
 * The tenants in a maintenance window of their own (Start?tenantId=), each with its End. Drawn when
 * Get is read (on every phase event), not every second, so a button is never replaced under a click.
 */
function renderTenantWindows(windows) {
  const name = w => w.tenantName || ("tenant " + w.tenantId);
  Console.fill("tenant-windows", windows, [name, w => ({ text: w.state, className: "phase phase-" + w.state }),
    w => Console.time(w.phaseSince), w => w.reason || ""], "No tenant is in a window of its own.");
  const rows = $("tenant-windows").querySelectorAll("tr");
  windows.forEach((w, i) => {
    const cell = document.createElement("td");
    const end = document.createElement("button");
    end.className = "secondary";
    end.textContent = "End";
    end.setAttribute("aria-label", "End the window of " + name(w));
    end.addEventListener("click", () => act("End the maintenance window of " + name(w) + "? " + AFTER_END,
      "POST", "/api/Maintenance/End?tenantId=" + w.tenantId));
    cell.appendChild(end);
    rows[i].appendChild(cell);
  });
}
/** The exempt processes, with tenant names where Get gave them; drawn when Get is read. */
function renderExemptions(list, tenants) {
  const names = {};
  tenants.forEach(t => { if (t.tenantName) names[t.tenantId] = t.tenantName; });
  Console.fill("exemptions", list.items || [], [e => e.tenantName || names[e.tenantId] || ("tenant " + e.tenantId),
    e => e.processName, e => e.reason], "No process is exempt: every job is stopped by a window.");
}
function renderDeadline(at) {
  const el = $("deadline");
  if (!at) { el.textContent = "none set"; el.className = ""; return; }
  const left = (Date.parse(at) - serverNow()) / 1000;
  const when = new Date(at).toLocaleTimeString();
  el.textContent = left > 0 ? "in " + Console.duration(Math.ceil(left)) + " (at " + when + "): then every remaining job is killed"
    : "passed at " + when + ": Kill was sent to every remaining job";
  el.className = left > 0 && left <= 60 ? "deadline-soon" : "";
}

/** The event stream, parsed from fetch()'s body. Resolves when the stream ends, for whatever reason. */
async function stream() {
  const controller = new AbortController();
  Panel.stream = controller;
  const response = await fetch("/api/Maintenance/Events",
    { headers: { Authorization: "Bearer " + Console.token(), Accept: "text/event-stream" }, signal: controller.signal });
  if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
  live(true);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (event === "phase") refresh();
      else if (event === "progress") observe(JSON.parse(data));
      else if (event === "expired") return; // the token that opened it expired: the server ends the stream
    }
  }
}
function live(streaming) {
  $("live").textContent = streaming ? "Live: event stream." : "Event stream unavailable: polling every second.";
  $("live").dataset.mode = streaming ? "stream" : "polling";
  if (streaming && Panel.poller) { clearInterval(Panel.poller); Panel.poller = null; }
  if (!streaming && !Panel.poller) Panel.poller = setInterval(refresh, 1000);
}
async function connect() {
  if (Panel.stream || !Console.claims()) return;
  try { await stream(); } catch (e) { /* fall back below */ }
  Panel.stream = null;
  if (!Console.claims()) return;
  live(false);
  setTimeout(connect, 5000);
}

async function act(question, method, path, refused) {
  if (!confirm(question)) return;
  const result = $("action-result");
  clearRefusal();
  try {
    await Console.api(method, path);
    result.textContent = "Done.";
    result.className = "";
  } catch (e) {
    result.textContent = (refused && refused(e)) || e.message;
    result.className = "error";
  }
  refresh();
}

// A refused Suspend is told in the panel's words (its buttons, not the API's flags) and holds only
// while it is true: it goes when the phase changes or the last job ends.
function suspendRefused(e) {
  if (e.status !== 409 || e.body.runningJobs == null) return null;
  Panel.refusal = { state: Panel.setting && Panel.setting.state };
  $("suspend-force").hidden = false;
  return e.body.runningJobs + " jobs are still running. Wait for them or kill them (Kill remaining jobs), then "
    + "Suspend; or Suspend anyway, and they go on on their robots unseen until maintenance ends.";
}
function clearRefusal() {
  if (!Panel.refusal) return;
  Panel.refusal = null;
  $("suspend-force").hidden = true;
  $("action-result").textContent = "";
}
const reason = () => encodeURIComponent($("reason").value.trim());
const killAfter = () => { const m = parseInt($("kill-after").value, 10); return m > 0 ? "&killAfter=PT" + m + "M" : ""; };
$("start-draining").addEventListener("click", () =>
  act("Start Draining? New jobs are refused and every running job is asked to stop.", "POST",
      "/api/Maintenance/Start?phase=Draining" + (reason() ? "&reason=" + reason() : "") + killAfter()));
$("kill").addEventListener("click", () =>
  act("Kill every job that is still running?", "POST", "/api/Maintenance/Start?phase=Draining&killJobs=true"));
$("suspend").addEventListener("click", () =>
  act("Suspend? Robots are cut off too.", "POST", "/api/Maintenance/Start?phase=Suspended", suspendRefused));
$("suspend-force").addEventListener("click", () =>
  act("Suspend while jobs still run? Their robots are cut off and the jobs are not stopped.", "POST",
      "/api/Maintenance/Start?phase=Suspended&force=true"));
$("end").addEventListener("click", () =>
  act("End maintenance? " + AFTER_END, "POST", "/api/Maintenance/End"));
$("sign-out").addEventListener("click", () => Console.signOut());
Console.wireSignIn(show);
setInterval(render, 1000); // the countdowns ("ago", the deadline) move between events
show();
