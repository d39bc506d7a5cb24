// The sign-in page at /identity (the seed's step 5: "navigate to /identity and sign in"). The token
// goes to sessionStorage, where the maintenance panel, the console and Swagger (/swagger) find it.
function show() {
  const claims = Console.claims();
  const host = !!claims && claims.role === "HostAdministrator";
  document.getElementById("sign-in").hidden = !!claims;
  document.getElementById("signed-in").hidden = !claims;
  document.getElementById("sign-out").hidden = !claims;
  if (!claims) return;
  document.getElementById("who").textContent = claims.name + " (" + claims.role + ")";
  document.getElementById("name").textContent = claims.name;
  document.getElementById("role").textContent = claims.role;
  document.getElementById("until").textContent = new Date(claims.exp * 1000).toLocaleTimeString();
  document.getElementById("panel-item").hidden = !host;
  document.getElementById("console-item").hidden = host;
  document.getElementById("phase-line").hidden = !host;
  if (host) phase();
}
async function phase() {
  try {
    const state = (await Console.api("GET", "/api/Maintenance/Get")).state;
    const badge = document.getElementById("phase");
    badge.textContent = state;
    badge.className = "phase phase-" + state;
  } catch (e) { /* the line keeps its "?" */ }
}
document.getElementById("sign-out").addEventListener("click", () => Console.signOut());
Console.wireSignIn(show);
show();
