// The console and the maintenance panel in Debian's Chromium, driven by playwright-core.
// Needs a running server: ORCH_URL and ORCH_HOST_ADMIN_PASSWORD (scripts/browser-test.sh starts one).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, copyFileSync } from "node:fs";
import { chromium } from "playwright-core";

const URL = process.env.ORCH_URL ?? "http://localhost:8080";
const ADMIN_PASSWORD = process.env.ORCH_HOST_ADMIN_PASSWORD;
const SHOTS = process.env.SCREENSHOTS ?? "target/screenshots";
const DOCS_SHOT = process.env.DOCS_SCREENSHOT; // set to refresh docs/console-maintenance-panel.png
mkdirSync(SHOTS, { recursive: true });

async function call(method, path, token, body, form) {
  const headers = {};
  if (token) headers.Authorization = "Bearer " + token;
  let payload;
  if (form) { payload = new URLSearchParams(form); }
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const response = await fetch(URL + path, { method, headers, body: payload });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}
async function token(username, password, tenant) {
  const form = { grant_type: "password", username, password };
  if (tenant) form.tenant = tenant;
  const r = await call("POST", "/identity/connect/token", null, undefined, form);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}

/**
 * Every page's Content-Security-Policy violations (Chromium reports each as a console error): the
 * pages carry a strict policy (no inline script or style), and the last test holds them to it.
 */
const cspViolations = [];
function watchContentSecurityPolicy(browser) {
  const watch = page => page.on("console", message => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(page.url() + ": " + message.text());
  });
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...options) => { const page = await newPage(...options); watch(page); return page; };
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...options) => { const context = await newContext(...options); context.on("page", watch); return context; };
}

let browser, host, tenantName, tenantId, tenantAdmin, robot, robotToken;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  watchContentSecurityPolicy(browser);
  host = await token("admin", ADMIN_PASSWORD);
  tenantName = "web" + Date.now();
  const tenant = await call("POST", "/api/Tenants", host, { name: tenantName });
  tenantId = tenant.body.id;
  await call("POST", "/api/Users", host, { username: "alice", password: "alice-password", role: "Administrator", tenantId: tenant.body.id });
  tenantAdmin = await token("alice", "alice-password", tenantName);
  robot = (await call("POST", "/api/Robots", tenantAdmin, { name: "web-robot" })).body;
  robotToken = (await call("POST", "/identity/connect/token", null, undefined,
    { grant_type: "client_credentials", client_id: String(robot.id), client_secret: robot.secret })).body.access_token;
});
after(async () => { await browser?.close(); });

/** A job started on the robot, through the robot protocol. */
async function runningJob(process) {
  const job = (await call("POST", "/api/Jobs", tenantAdmin, { processName: process, robotId: robot.id })).body;
  const beat = await call("POST", "/api/robot/heartbeat", robotToken, {});
  assert.ok(beat.body.commands.some(c => c.type === "StartJob" && c.jobId === job.id));
  assert.equal((await call("POST", `/api/robot/jobs/${job.id}/state`, robotToken, { state: "Running" })).status, 200);
  return job;
}

async function signIn(page, path, tenant, user, password) {
  await page.goto(URL + path);
  if (tenant !== null) await page.getByLabel("Tenant (empty for the host)").fill(tenant);
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a tenant administrator signs in and watches a job run to Successful", async () => {
  const page = await browser.newPage();
  await signIn(page, "/console/", tenantName, "alice", "alice-password");
  await page.getByRole("heading", { name: "Jobs" }).waitFor();
  const job = await runningJob("Invoices");
  const row = page.locator("#jobs tr", { hasText: "Invoices" }).first();
  await row.getByText("Running").waitFor({ timeout: 10_000 });
  await call("POST", `/api/robot/jobs/${job.id}/state`, robotToken, { state: "Successful" });
  await row.getByText("Successful").waitFor({ timeout: 10_000 });
  await page.locator("#robots").getByText("web-robot").waitFor();
  // a cordoned robot says so in the robots table, and stops saying so when uncordoned
  await call("POST", `/api/Robots/${robot.id}/Cordon`, tenantAdmin, {});
  await page.locator("#robots tr", { hasText: "web-robot" }).getByText(/\(cordoned\)$/).waitFor({ timeout: 10_000 });
  await call("POST", `/api/Robots/${robot.id}/Uncordon`, tenantAdmin);
  await page.locator("#robots tr", { hasText: "web-robot" }).getByText(/\(cordoned\)$/).waitFor({ state: "detached", timeout: 10_000 });
  // the jobs list names the robot, shows times, colours the state, and pages
  await row.locator("td:nth-child(3)").getByText("web-robot").waitFor();
  assert.match(await row.locator("td:nth-child(4)").getAttribute("class"), /state-Successful/);
  assert.notEqual((await row.locator("td:nth-child(6)").textContent()).trim(), "", "a start time");
  assert.notEqual((await row.locator("td:nth-child(7)").textContent()).trim(), "", "an end time");
  await page.locator("#jobs-page").getByText(/^Page 1 \(last\)$/).waitFor();
  for (let i = 0; i < 20; i++) await call("POST", "/api/Jobs", tenantAdmin, { processName: "Batch" + i, robotId: robot.id });
  await page.locator("#jobs-page").getByText(/^Page 1$/).waitFor({ timeout: 10_000 });
  await page.getByRole("button", { name: "Next" }).click();
  await page.locator("#jobs-page").getByText(/^Page 2 \(last\)$/).waitFor({ timeout: 10_000 });
  await page.locator("#jobs tr", { hasText: "Invoices" }).waitFor();
  assert.ok(await page.getByRole("button", { name: "Next" }).isDisabled());
  await page.getByRole("button", { name: "Previous" }).click();
  await page.locator("#jobs-page").getByText(/^Page 1$/).waitFor({ timeout: 10_000 });
  assert.ok(await page.getByRole("button", { name: "Previous" }).isDisabled());
  await page.screenshot({ path: `${SHOTS}/console-job-successful.png`, fullPage: true });
  // the jobs made for paging are not part of the drain below
  const pending = (await call("GET", "/api/Jobs?state=Pending&size=100", tenantAdmin)).body.items;
  for (const j of pending) await call("POST", `/api/Jobs/${j.id}/Stop`, tenantAdmin);
  await page.close();
});

test("the host signs in to the console and sees the tenants, not three empty tables", async () => {
  const page = await browser.newPage();
  await signIn(page, "/console/", "", "admin", ADMIN_PASSWORD);
  await page.getByRole("heading", { name: "Tenants" }).waitFor();
  assert.ok(await page.locator("#signed-in").isHidden(), "the tenant tables are not shown to the host");
  const row = page.locator("#tenant-overview tr", { hasText: tenantName });
  await row.waitFor({ timeout: 10_000 });
  assert.equal((await row.locator("td:nth-child(3)").textContent()).trim(), "1", "one user");
  await page.getByText("You are signed in as the host administrator").waitFor();
  await page.screenshot({ path: `${SHOTS}/console-host-overview.png`, fullPage: true });
  await page.close();
});

test("a tenant's own window shows in the panel, its console is closed while the platform works, and it ends from the panel", async () => {
  const panel = await browser.newPage();
  panel.on("dialog", dialog => dialog.accept());
  await signIn(panel, "/console/maintenance/", null, "admin", ADMIN_PASSWORD);
  await panel.locator("#tenant-windows").getByText("No tenant is in a window of its own.").waitFor();
  const started = await call("POST", `/api/Maintenance/Start?phase=Draining&tenantId=${tenantId}&reason=moving%20its%20database`, host);
  assert.equal(started.status, 204, JSON.stringify(started.body));
  const row = panel.locator("#tenant-windows tr", { hasText: tenantName });
  await row.getByText("Draining").waitFor({ timeout: 10_000 });
  await row.getByText("moving its database").waitFor();
  await panel.locator("#phase").getByText("None").waitFor();
  // the tenant's people meet the gate; the platform (another tenant, the host) does not
  assert.equal((await call("GET", "/api/Jobs", tenantAdmin)).status, 503);
  assert.equal((await call("GET", "/api/Tenants", host)).status, 200);
  await panel.screenshot({ path: `${SHOTS}/maintenance-panel-tenant-window.png`, fullPage: true });
  await row.getByRole("button", { name: "End the window of " + tenantName }).click();
  await panel.locator("#tenant-windows").getByText("No tenant is in a window of its own.").waitFor({ timeout: 10_000 });
  assert.equal((await call("GET", "/api/Jobs", tenantAdmin)).status, 200);
  await panel.close();
});

test("the host drains from the panel, watches the drain reach zero, suspends and ends; tenants see the maintenance page meanwhile", async () => {
  const job = await runningJob("Payroll");
  const panel = await browser.newPage();
  const dialogs = [];
  panel.on("dialog", dialog => { dialogs.push(dialog.message()); dialog.accept(); });
  await signIn(panel, "/console/maintenance/", null, "admin", ADMIN_PASSWORD);
  await panel.locator("#phase").getByText("None").waitFor();

  const gets = [];
  panel.on("request", request => { if (request.url().includes("/api/Maintenance/Get")) gets.push(request.url()); });
  await panel.locator("#tenants").getByText("Not in maintenance: nothing to drain.").waitFor();
  await panel.locator("#live[data-mode=stream]").waitFor({ timeout: 10_000 });

  await panel.getByLabel("Reason (shown on the maintenance page)").fill("database upgrade");
  await panel.getByLabel("Kill jobs still running after (minutes; empty: never)").fill("2");
  await panel.getByRole("button", { name: "Start Draining" }).click();
  await panel.locator("#phase").getByText("Draining").waitFor({ timeout: 10_000 });
  await panel.locator("#remaining").getByText("1", { exact: true }).waitFor({ timeout: 10_000 });
  // tenants by name; the kill deadline as a countdown; an estimate that never passes it
  await panel.locator("#tenants tr", { hasText: tenantName }).locator("td:nth-child(2)").getByText("1", { exact: true }).waitFor();
  await panel.locator("#deadline").getByText(/^in 1m \d+s \(at .*\): then every remaining job is killed$/).waitFor();
  await panel.locator("#eta").getByText(/at most 1m \d+s left \(kill deadline\)/).waitFor({ timeout: 10_000 });
  await panel.locator("#since").getByText(/since .* \(\d+s ago\)/).waitFor();
  await panel.locator("#window-line").getByText(/^Maintenance window open since /).waitFor();
  assert.ok(await panel.getByRole("button", { name: "Kill remaining jobs" }).isEnabled(), "Kill while Draining");
  await panel.screenshot({ path: `${SHOTS}/maintenance-panel-mid-drain.png`, fullPage: true });
  if (DOCS_SHOT) copyFileSync(`${SHOTS}/maintenance-panel-mid-drain.png`, DOCS_SHOT);

  // the tenant's console is closed, for everyone, with a proper page
  const tenantPage = await browser.newPage();
  const refused = await tenantPage.goto(URL + "/console/");
  assert.equal(refused.status(), 503);
  assert.ok(refused.headers()["retry-after"]);
  await tenantPage.getByRole("heading", { name: "Maintenance in progress" }).waitFor();
  await tenantPage.getByText("database upgrade").waitFor();
  await tenantPage.getByText(/jobs stopped for maintenance do not restart by themselves/).waitFor();
  // a way back for the host: the page links the panel, and the panel does not link the closed console
  assert.equal(await tenantPage.getByRole("link", { name: "maintenance panel" }).getAttribute("href"), "/console/maintenance/");
  assert.ok(await panel.locator("#console-link").isHidden(), "no link from the panel into the 503 page");
  await panel.getByText("Console closed until maintenance ends").waitFor();
  await tenantPage.screenshot({ path: `${SHOTS}/maintenance-page.png`, fullPage: true });

  // Suspend while the job still runs: refused in the panel's own words, with its own way on
  const refreshed = panel.waitForResponse(response => response.url().includes("/api/Maintenance/Get"));
  await panel.getByRole("button", { name: "Suspend", exact: true }).click();
  await panel.locator("#action-result").getByText(/^1 jobs are still running/).waitFor({ timeout: 10_000 });
  await refreshed; // the panel's Get after the refusal, before the stream-only count below begins
  assert.doesNotMatch(await panel.locator("#action-result").textContent(), /force=true|killJobs/);
  await panel.getByRole("button", { name: "Suspend anyway" }).waitFor();

  // the robot gets its Stop through the heartbeat and reports; the panel shows the drain at zero
  const beat = await call("POST", "/api/robot/heartbeat", robotToken, {});
  assert.ok(beat.body.commands.some(c => c.type === "StopJob" && c.jobId === job.id));
  const getsBefore = gets.length;
  await call("POST", `/api/robot/jobs/${job.id}/state`, robotToken, { state: "Stopped" });
  await panel.locator("#remaining").getByText("0", { exact: true }).waitFor({ timeout: 10_000 });
  assert.equal(await panel.locator("#progress").getAttribute("aria-valuenow"), "100");
  assert.equal(gets.length, getsBefore, "the drain reached the panel through the event stream, not by polling Get");
  // the refusal held while it was true, no longer
  await panel.locator("#suspend-force").waitFor({ state: "hidden", timeout: 10_000 });
  assert.equal((await panel.locator("#action-result").textContent()).trim(), "");
  await panel.locator("#tenants").getByText("No jobs left: every tenant has drained.").waitFor();

  // a second panel whose event stream is refused falls back to polling and still sees the state
  const polling = await browser.newPage();
  await polling.route("**/api/Maintenance/Events", route => route.abort());
  await signIn(polling, "/console/maintenance/", null, "admin", ADMIN_PASSWORD);
  await polling.locator("#live[data-mode=polling]").waitFor({ timeout: 10_000 });
  await polling.locator("#phase").getByText("Draining").waitFor({ timeout: 10_000 });

  await panel.getByRole("button", { name: "Suspend", exact: true }).click();
  await panel.locator("#phase").getByText("Suspended").waitFor({ timeout: 10_000 });
  await polling.locator("#phase").getByText("Suspended").waitFor({ timeout: 10_000 });
  await polling.close();
  assert.ok(await panel.getByRole("button", { name: "Kill remaining jobs" }).isDisabled(), "no Kill in Suspended (the API answers 409)");
  await panel.screenshot({ path: `${SHOTS}/maintenance-panel-suspended.png`, fullPage: true });
  assert.equal((await tenantPage.reload()).status(), 503);
  await tenantPage.locator("#phase").getByText("Suspended").waitFor();

  await panel.getByRole("button", { name: "End maintenance" }).click();
  await panel.locator("#phase").getByText("None").waitFor({ timeout: 10_000 });
  // the End dialog says what comes back and what does not: stopped jobs stay ended
  const endDialog = dialogs.find(message => message.startsWith("End maintenance?"));
  assert.match(endDialog, /Jobs stopped or killed in this window stay ended/);
  assert.doesNotMatch(endDialog, /resume/);
  const back = await tenantPage.goto(URL + "/console/");
  assert.equal(back.status(), 200);
  await tenantPage.getByRole("heading", { name: "Sign in" }).waitFor();
  await panel.locator("#console-link").waitFor();
  // the window just ended stays readable, told as the last one
  await panel.locator("#last-window").getByText(/^Last window: database upgrade, .* \(opened by admin\): 1 stops, 0 kills, \d+ fires skipped$/).waitFor();
  // the fleet's return: the robot heard during the window is expected back, and is once it heartbeats
  await panel.locator("#return-line").getByText(/^Return after End: 0 of 1 robots back \(0%\); \d+ jobs waiting to be handed out\.$/).waitFor();
  assert.equal((await call("POST", "/api/robot/heartbeat", robotToken, {})).status, 200);
  await panel.locator("#return-line").getByText(/^Return after End: every robot is back \(1\)/).waitFor({ timeout: 10_000 });
  await panel.screenshot({ path: `${SHOTS}/maintenance-panel-ended.png`, fullPage: true });
  await tenantPage.close();
  await panel.close();
});

test("an exempt process shows in the panel, and its job runs through Draining apart from the remaining ones", async () => {
  const set = await call("PUT", "/api/Maintenance/Exemptions", host,
    { items: [{ tenantId, processName: "Month-end close", reason: "books close tonight" }] });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  const job = await runningJob("Month-end close");
  const panel = await browser.newPage();
  panel.on("dialog", dialog => dialog.accept());
  await signIn(panel, "/console/maintenance/", null, "admin", ADMIN_PASSWORD);
  const row = panel.locator("#exemptions tr", { hasText: "Month-end close" });
  await row.getByText("books close tonight").waitFor({ timeout: 10_000 });
  assert.equal((await call("POST", "/api/Maintenance/Start?phase=Draining&reason=exempt%20run", host)).status, 204);
  await panel.locator("#phase").getByText("Draining").waitFor({ timeout: 10_000 });
  await panel.locator("#exempt-line").getByText(/^1 job of an exempt process runs through Draining \(not counted above\)/)
    .waitFor({ timeout: 10_000 });
  await panel.locator("#remaining").getByText("0", { exact: true }).waitFor();
  // the robot is not told to stop it
  const beat = await call("POST", "/api/robot/heartbeat", robotToken, {});
  assert.ok(!beat.body.commands.some(c => c.type === "StopJob" && c.jobId === job.id), JSON.stringify(beat.body));
  await panel.screenshot({ path: `${SHOTS}/maintenance-panel-exempt.png`, fullPage: true });
  assert.equal((await call("POST", `/api/robot/jobs/${job.id}/state`, robotToken, { state: "Successful" })).status, 200);
  await panel.locator("#exempt-line").waitFor({ state: "hidden", timeout: 10_000 });
  assert.equal((await call("POST", "/api/Maintenance/End", host)).status, 204);
  assert.equal((await call("PUT", "/api/Maintenance/Exemptions", host, { items: [] })).status, 200);
  await panel.close();
});

test("every user of a tenant sees the planned window's banner from its creation until it is cancelled", async () => {
  // an Operator of the tenant, besides its administrator: the banner is for every user
  await call("POST", "/api/Users", tenantAdmin, { username: "bob", password: "bob-password-1", role: "Operator" });
  const drainAt = new Date(Date.now() + 3 * 3600_000).toISOString();
  const expectedEnd = new Date(Date.now() + 4 * 3600_000).toISOString();
  const plan = await call("POST", "/api/Maintenance/Plans", host,
    { drainAt, expectedEnd, reason: "database upgrade <b>not bold</b>" });
  assert.equal(plan.status, 201, JSON.stringify(plan.body));
  try {
    for (const [user, password] of [["alice", "alice-password"], ["bob", "bob-password-1"]]) {
      const page = await browser.newPage();
      await signIn(page, "/console/", tenantName, user, password);
      const banner = page.locator("#planned-banner");
      await banner.getByText("Planned maintenance from").waitFor({ timeout: 10_000 });
      const text = await banner.textContent();
      assert.match(text, /database upgrade <b>not bold<\/b>/, "the reason is shown as text, never as HTML");
      assert.match(text, /until about/, "the expected end is told too");
      assert.equal(await banner.locator("b").count(), 0);
      await page.screenshot({ path: `${SHOTS}/console-planned-banner-${user}.png` });
      await page.close();
    }
  } finally {
    const cancelled = await call("DELETE", `/api/Maintenance/Plans/${plan.body.id}`, host);
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
  }
  const page = await browser.newPage();
  await signIn(page, "/console/", tenantName, "alice", "alice-password");
  await page.getByRole("heading", { name: "Jobs" }).waitFor();
  await page.waitForFunction(() => document.getElementById("planned-banner").hidden, null, { timeout: 10_000 });
  await page.close();
});

test("no page broke its Content-Security-Policy (nothing inline was blocked)", () => {
  assert.deepEqual(cspViolations, []);
});
