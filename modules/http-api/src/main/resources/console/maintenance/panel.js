// The host administrator's maintenance panel: reachable in every phase (the gate keeps it open).
function show() {
  const claims = Console.claims();
  const host = claims && claims.role === "HostAdministrator";
  document.getElementById("sign-in").hidden = host;
  document.getElementById("panel").hidden = !host;
  document.getElementById("sign-out").hidden = !claims;
  if (claims) document.getElementById("who").textContent = claims.name + " (" + claims.role + ")";
  if (claims && !host) document.getElementById("sign-in-error").textContent = "Maintenance is for the host administrator.";
  if (host) refresh();
}
async function refresh() {
  if (!Console.claims()) return;
  try {
    const s = await Console.api("GET", "/api/Maintenance/Get");
    const p = s.progress || { remaining: 0, remainingByTenant: {}, ratio: 1, stopsSent: 0, killsSent: 0 };
    const phase = document.getElementById("phase");
    phase.textContent = s.state;
    phase.className = "phase phase-" + s.state;
    document.getElementById("since").textContent = s.state !== "None" && s.startedAt ? " since " + s.startedAt : "";
    document.getElementById("reason-line").textContent = s.state !== "None" && s.reason ? "Reason: " + s.reason : "";
    document.getElementById("remaining").textContent = p.remaining;
    document.getElementById("stops").textContent = p.stopsSent || 0;
    document.getElementById("kills").textContent = p.killsSent || 0;
    document.getElementById("eta").textContent = p.remaining > 0 && p.estimatedSecondsLeft != null ? ", about " + p.estimatedSecondsLeft + " s left" : "";
    const percent = Math.round(100 * (p.ratio == null ? 1 : p.ratio));
    const bar = document.getElementById("progress");
    bar.setAttribute("aria-valuenow", String(percent));
    bar.firstElementChild.style.width = percent + "%";
    Console.fill("tenants", Object.entries(p.remainingByTenant || {}), [e => e[0], e => e[1]]);
    document.getElementById("start-draining").disabled = s.state === "Suspended";
    document.getElementById("kill").disabled = s.state === "None";
    document.getElementById("suspend").disabled = s.state === "Suspended";
    document.getElementById("end").disabled = s.state === "None";
  } catch (e) { /* retried next second */ }
}
async function act(question, method, path) {
  if (!confirm(question)) return;
  const result = document.getElementById("action-result");
  try {
    await Console.api(method, path);
    result.textContent = "Done.";
    result.className = "";
  } catch (e) {
    result.textContent = e.message;
    result.className = "error";
  }
  refresh();
}
const reason = () => encodeURIComponent(document.getElementById("reason").value.trim());
document.getElementById("start-draining").addEventListener("click", () =>
  act("Start Draining? New jobs are refused and every running job is asked to stop.", "POST",
      "/api/Maintenance/Start?phase=Draining" + (reason() ? "&reason=" + reason() : "")));
document.getElementById("kill").addEventListener("click", () =>
  act("Kill every job that is still running?", "POST", "/api/Maintenance/Start?phase=Draining&killJobs=true"));
document.getElementById("suspend").addEventListener("click", () =>
  act("Suspend? Robots are cut off too.", "POST", "/api/Maintenance/Start?phase=Suspended"));
document.getElementById("end").addEventListener("click", () =>
  act("End maintenance? Jobs and schedules resume.", "POST", "/api/Maintenance/End"));
document.getElementById("sign-out").addEventListener("click", () => Console.signOut());
Console.wireSignIn(show);
setInterval(refresh, 1000);
show();
