// The tenant console: jobs (live), robots, schedules.
function show() {
  const claims = Console.claims();
  document.getElementById("sign-in").hidden = !!claims;
  document.getElementById("signed-in").hidden = !claims;
  document.getElementById("sign-out").hidden = !claims;
  if (!claims) return;
  document.getElementById("who").textContent = claims.name + " (" + claims.role + ")";
  document.getElementById("panel-link").hidden = claims.role !== "HostAdministrator";
  refresh();
}
async function refresh() {
  const claims = Console.claims();
  if (!claims || claims.role === "HostAdministrator") return;
  try {
    const [jobs, robots, schedules] = await Promise.all([
      Console.api("GET", "/api/Jobs?size=50"), Console.api("GET", "/api/Robots"), Console.api("GET", "/api/Schedules")]);
    Console.fill("jobs", jobs.items, [j => j.id, j => j.processName, j => j.robotId, j => j.info ? j.state + " (" + j.info + ")" : j.state]);
    Console.fill("robots", robots.items, [r => r.id, r => r.name, r => r.status || (r.connected ? "Connected" : "Disconnected")]);
    Console.fill("schedules", schedules.items, [s => s.name, s => s.cron, s => s.enabled ? "yes" : "no", s => s.nextFireAt]);
  } catch (e) { /* shown on the next refresh, or the page reloads into the maintenance page */ }
}
document.getElementById("sign-out").addEventListener("click", () => Console.signOut());
Console.wireSignIn(show);
setInterval(refresh, 2000);
show();
