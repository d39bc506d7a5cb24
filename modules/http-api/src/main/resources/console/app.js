// The console. Tenant users: jobs (live, paged by cursor), robots, schedules. The host administrator: the
// tenants with their users, robots and unfinished jobs (from /api/Tenants, /api/Users and /metrics).
const JOBS_PAGE_SIZE = 20;
/** The cursor each visited page of jobs starts after (null: the newest); the last is the page shown. */
let jobsCursors = [null];
/** The cursor of the page after the one shown (null: it is the last). */
let jobsNext = null;

function show() {
  const claims = Console.claims();
  const host = !!claims && claims.role === "HostAdministrator";
  document.getElementById("sign-in").hidden = !!claims;
  document.getElementById("signed-in").hidden = !claims || host;
  document.getElementById("host-view").hidden = !host;
  document.getElementById("sign-out").hidden = !claims;
  if (!claims) { document.getElementById("planned-banner").hidden = true; return; }
  document.getElementById("who").textContent = claims.name + " (" + claims.role + ")";
  document.getElementById("panel-link").hidden = !host;
  refresh();
}
/**
 * The banner of the next planned window: every user sees it from the plan's creation until the
 * window starts (then the console itself is closed for maintenance). Text only, never HTML.
 */
async function refreshBanner() {
  const banner = document.getElementById("planned-banner");
  const plans = await Console.api("GET", "/api/Maintenance/Plans");
  const next = plans.items.filter(p => p.state === "Planned")
    .sort((a, b) => Date.parse(a.drainAt) - Date.parse(b.drainAt))[0];
  banner.hidden = !next;
  if (!next) return;
  const local = iso => new Date(iso).toLocaleString();
  const until = next.expectedEnd ? " until about " + local(next.expectedEnd) : "";
  banner.textContent = "Planned maintenance from " + local(next.drainAt) + until + ": " + next.reason
    + ". Running jobs will be stopped and new ones will not start while it lasts.";
}
async function refresh() {
  const claims = Console.claims();
  if (!claims) return;
  refreshBanner().catch(() => { /* tried again on the next refresh */ });
  try {
    if (claims.role === "HostAdministrator") await refreshHost(); else await refreshTenant();
  } catch (e) { /* shown on the next refresh, or the page reloads into the maintenance page */ }
}

async function refreshTenant() {
  const [jobs, robots, schedules] = await Promise.all([
    Console.api("GET", "/api/Jobs?size=" + JOBS_PAGE_SIZE + (jobsCursors.at(-1) == null ? ""
      : "&after=" + encodeURIComponent(jobsCursors.at(-1)))),
    Console.api("GET", "/api/Robots"), Console.api("GET", "/api/Schedules")]);
  const robotNames = new Map(robots.items.map(r => [r.id, r.name]));
  jobsNext = jobs.next;
  Console.fill("jobs", jobs.items, [j => j.id, j => j.processName,
    j => j.robotId == null ? "any free robot" : (robotNames.get(j.robotId) || "robot " + j.robotId),
    j => ({ text: j.info ? j.state + " (" + j.info + ")" : j.state, className: "state state-" + j.state }),
    j => Console.time(j.createdAt), j => Console.time(j.startedAt), j => Console.time(j.endedAt)],
    "No jobs yet.");
  document.getElementById("jobs-page").textContent = "Page " + jobsCursors.length + (jobs.next ? "" : " (last)");
  document.getElementById("jobs-prev").disabled = jobsCursors.length <= 1;
  document.getElementById("jobs-next").disabled = !jobs.next;
  Console.fill("robots", robots.items, [r => r.id, r => r.name,
    r => (r.status || (r.connected ? "Connected" : "Disconnected")) + (r.cordoned ? " (cordoned)" : "")],
    "No robots registered.");
  Console.fill("schedules", schedules.items, [s => s.name, s => s.cron, s => s.enabled ? "yes" : "no", s => Console.time(s.nextFireAt)],
    "No schedules.");
}

/** Per-tenant sums of a metric in the Prometheus text of /metrics: tenant id -> value. */
function perTenant(metrics, name) {
  const sums = new Map();
  const pattern = new RegExp("^" + name + "\\{([^}]*)\\} (\\S+)$", "gm");
  for (const m of metrics.matchAll(pattern)) {
    const tenant = /tenant="(\d+)"/.exec(m[1]);
    if (tenant) sums.set(Number(tenant[1]), (sums.get(Number(tenant[1])) || 0) + Number(m[2]));
  }
  return sums;
}
async function refreshHost() {
  const [tenants, users, metrics] = await Promise.all([Console.api("GET", "/api/Tenants"), Console.api("GET", "/api/Users"),
    fetch("/metrics").then(r => r.ok ? r.text() : "")]);
  const usersPer = new Map();
  users.items.forEach(u => { if (u.tenantId != null) usersPer.set(u.tenantId, (usersPer.get(u.tenantId) || 0) + 1); });
  const connected = perTenant(metrics, "orchestrator_robots_connected");
  const disconnected = perTenant(metrics, "orchestrator_robots_disconnected");
  const jobs = perTenant(metrics, "orchestrator_jobs");
  Console.fill("tenant-overview", tenants.items, [t => t.name, t => t.id, t => usersPer.get(t.id) || 0,
    t => connected.get(t.id) || 0, t => disconnected.get(t.id) || 0, t => jobs.get(t.id) || 0],
    "No tenants yet: create one with POST /api/Tenants.");
}

document.getElementById("jobs-prev").addEventListener("click", () => {
  if (jobsCursors.length > 1) jobsCursors.pop();
  refresh();
});
document.getElementById("jobs-next").addEventListener("click", () => {
  if (jobsNext) jobsCursors.push(jobsNext);
  refresh();
});
document.getElementById("sign-out").addEventListener("click", () => Console.signOut());
Console.wireSignIn(show);
setInterval(refresh, 2000);
show();
