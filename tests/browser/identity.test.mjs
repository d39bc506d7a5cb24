// The seed's End procedure (step 5) as an operator with a browser and a password follows it, in
// Debian's Chromium driven by playwright-core, against a real server that is Suspended:
// /identity -> sign in as the host administrator -> Swagger -> Authorize with the same account ->
// POST /api/Maintenance/End -> 204 -> the phase is None.
// Needs ORCH_URL and ORCH_HOST_ADMIN_PASSWORD (scripts/browser-test.sh starts a server and sets them;
// it also names the server's log in ORCH_SERVER_LOG, which must never hold a password).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, copyFileSync, readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const URL = process.env.ORCH_URL ?? "http://localhost:8080";
const ADMIN_PASSWORD = process.env.ORCH_HOST_ADMIN_PASSWORD;
const SHOTS = process.env.SCREENSHOTS ?? "target/screenshots";
const DOCS_DIR = process.env.DOCS_DIR; // set to refresh docs/swagger-authorize-dialog.png
mkdirSync(SHOTS, { recursive: true });

async function call(method, path, token, form) {
  const headers = token ? { Authorization: "Bearer " + token } : {};
  const response = await fetch(URL + path, { method, headers, body: form ? new URLSearchParams(form) : undefined });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}
async function hostToken() {
  const r = await call("POST", "/identity/connect/token", null,
    { grant_type: "password", username: "admin", password: ADMIN_PASSWORD });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}
async function phase(token) {
  const r = await call("GET", "/api/Maintenance/Get", token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.state;
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

let browser;
const requestedUrls = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  watchContentSecurityPolicy(browser);
});
after(async () => { await browser?.close(); });

/** A page in its own context (its own sessionStorage), recording every URL it asks for. */
async function freshPage() {
  const context = await browser.newContext({ viewport: { width: 1100, height: 1300 } });
  const page = await context.newPage();
  page.on("request", request => requestedUrls.push(request.url()));
  return page;
}

async function signInAtIdentity(page, tenant, username, password) {
  const opened = await page.goto(URL + "/identity");
  assert.equal(opened.status(), 200);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByLabel("Tenant (empty for the host)").fill(tenant);
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Expands an operation in Swagger UI, "Try it out", "Execute"; returns the request it sent and the status shown. */
async function execute(page, tag, operationId, method, path) {
  const operation = page.locator(`#operations-${tag}-${operationId}`);
  await operation.locator(".opblock-summary").first().click();
  await operation.getByRole("button", { name: "Try it out" }).click();
  const sent = page.waitForRequest(r => r.method() === method && new globalThis.URL(r.url()).pathname === path);
  await operation.getByRole("button", { name: "Execute" }).click();
  const request = await sent;
  const status = operation.locator(".live-responses-table tbody .response-col_status").first();
  await status.waitFor();
  return { request, status: (await status.textContent()).trim() };
}

test("seed step 5 while Suspended: /identity, sign in as host admin, Swagger, Authorize with the same account, End is 204, phase None", async () => {
  // steps 1-4 of the seed, by API: the orchestrator is Suspended
  const setup = await hostToken();
  assert.equal((await call("POST", "/api/Maintenance/Start?phase=Draining&reason=upgrade", setup)).status, 204);
  assert.equal((await call("POST", "/api/Maintenance/Start?phase=Suspended&force=true", setup)).status, 204);
  assert.equal(await phase(setup), "Suspended");

  // 5.1 navigate to /identity and sign in with the host administrator account
  const page = await freshPage();
  await signInAtIdentity(page, "", "admin", ADMIN_PASSWORD);
  await page.getByRole("heading", { name: "Signed in" }).waitFor();
  await page.locator("#phase").getByText("Suspended").waitFor();
  assert.ok(!page.url().includes("password"), page.url());
  await page.getByRole("link", { name: "Maintenance panel" }).waitFor();
  await page.screenshot({ path: `${SHOTS}/identity-signed-in.png`, fullPage: true });

  // 5.2 open the Swagger page and select Authorize to authenticate with the same host admin account
  await page.getByRole("link", { name: "Swagger (the API)" }).click();
  await page.locator(".swagger-ui .info .title").waitFor();
  await page.locator(".swagger-ui .btn.authorize").first().click();
  const signIn = page.locator(".auth-container", { hasText: "signIn (OAuth2, password)" });
  await signIn.locator("#oauth_username").fill("admin");
  await signIn.locator("#oauth_password").fill(ADMIN_PASSWORD);
  // the dialog scrolls inside a fixed height; unrolled for the picture so it shows the whole dialog
  await page.addStyleTag({ content: ".swagger-ui .dialog-ux .modal-ux-content { max-height: none !important; }" });
  await page.locator(".modal-ux").screenshot({ path: `${SHOTS}/swagger-authorize-dialog.png` });
  if (DOCS_DIR) copyFileSync(`${SHOTS}/swagger-authorize-dialog.png`, `${DOCS_DIR}/swagger-authorize-dialog.png`);
  const tokenReply = page.waitForResponse(r => r.url() === URL + "/identity/connect/token" && r.request().method() === "POST");
  await signIn.getByRole("button", { name: "Apply given OAuth2 credentials" }).click();
  const issued = await tokenReply;
  assert.equal(issued.status(), 200);
  const body = new URLSearchParams(issued.request().postData());
  assert.equal(body.get("grant_type"), "password");
  assert.equal(body.get("username"), "admin");
  const swaggerToken = (await issued.json()).access_token;
  await signIn.getByText("Authorized").first().waitFor();
  await page.locator(".modal-ux .close-modal").click();

  // 5.3 use /api/Maintenance/End to turn off Maintenance Mode
  const end = await execute(page, "maintenance", "maintenanceEnd", "POST", "/api/Maintenance/End");
  assert.equal(end.status, "204");
  assert.equal(end.request.headers()["authorization"], "Bearer " + swaggerToken,
    "the call carries the token Authorize got with the password");
  assert.equal(await phase(setup), "None");
  await page.screenshot({ path: `${SHOTS}/swagger-end-204.png`, fullPage: false });

  // the password never went into a URL, and the password is not in Swagger's stored state
  assert.ok(requestedUrls.every(u => !u.includes(encodeURIComponent(ADMIN_PASSWORD)) && !u.includes(ADMIN_PASSWORD)));
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes(ADMIN_PASSWORD), "no password in the browser's storage");
  await page.context().close();
});

test("signing in once is enough: Swagger finds the /identity session; without it the same call is 401", async () => {
  const page = await freshPage();
  await signInAtIdentity(page, "", "admin", ADMIN_PASSWORD);
  await page.getByRole("heading", { name: "Signed in" }).waitFor();
  await page.getByRole("link", { name: "Swagger (the API)" }).click();
  await page.locator(".swagger-ui .info .title").waitFor();
  const get = await execute(page, "maintenance", "maintenanceGet", "GET", "/api/Maintenance/Get");
  assert.equal(get.status, "200");
  await page.context().close();

  const stranger = await freshPage();
  await stranger.goto(URL + "/swagger");
  await stranger.locator(".swagger-ui .info .title").waitFor();
  assert.equal((await execute(stranger, "maintenance", "maintenanceGet", "GET", "/api/Maintenance/Get")).status, "401");
  await stranger.context().close();
});

test("wrong credentials get a clear message, on the page and in Swagger's dialog; repeated ones a wait with Retry-After", async () => {
  const page = await freshPage();
  await signInAtIdentity(page, "", "admin", "not-the-password");
  await page.getByRole("alert").getByText("Wrong tenant, user name or password.").waitFor();
  assert.equal(await page.getByRole("button", { name: "Sign in" }).isEnabled(), true);

  // an unknown account, five wrong passwords in a row: the next attempt is told to wait
  await page.getByLabel("User name").fill("mallory");
  const alert = page.getByRole("alert");
  const button = page.getByRole("button", { name: "Sign in" });
  for (let i = 0; i < 12; i++) {
    await button.click();
    await alert.filter({ hasText: /\S/ }).waitFor();
    if ((await alert.textContent()).startsWith("Too many")) break;
    await page.waitForFunction(() => !document.querySelector("#sign-in-form button").disabled);
  }
  await alert.getByText(/^Too many failed sign-ins from this address or for this account\. Try again in \d+ s\.$/).waitFor();
  assert.equal(await button.isDisabled(), true, "the button waits out Retry-After");
  await page.screenshot({ path: `${SHOTS}/identity-too-many.png`, fullPage: true });
  await alert.getByText("You can try again now.", { exact: false }).waitFor({ timeout: 70_000 });
  assert.equal(await button.isEnabled(), true);

  // Swagger's dialog says why, too
  await page.goto(URL + "/swagger");
  await page.locator(".swagger-ui .info .title").waitFor();
  await page.locator(".swagger-ui .btn.authorize").first().click();
  const signIn = page.locator(".auth-container", { hasText: "signIn (OAuth2, password)" });
  await signIn.locator("#oauth_username").fill("admin");
  await signIn.locator("#oauth_password").fill("not-the-password");
  await signIn.getByRole("button", { name: "Apply given OAuth2 credentials" }).click();
  await signIn.getByText("invalid username or password", { exact: false }).waitFor();
  await page.context().close();

  assert.ok(requestedUrls.every(u => !u.includes("not-the-password")), "a password in a URL");
  if (process.env.ORCH_SERVER_LOG) {
    const log = readFileSync(process.env.ORCH_SERVER_LOG, "utf8");
    assert.ok(!log.includes(ADMIN_PASSWORD) && !log.includes("not-the-password"), "a password in the server's log");
  }
});

test("no page broke its Content-Security-Policy (nothing inline was blocked)", () => {
  assert.deepEqual(cspViolations, []);
});
