// The live page and the rehearsal report in Debian's Chromium, offline: the mock runs as `npm start -- --receiver`
// does (its own process, on 127.0.0.1), a receiver in this process verifies each delivery against the secrets
// it trusts, and every request the browser makes outside the mock's origin is recorded and aborted.
// A screenshot of each scenario is kept in test-results/sandbox/ (git-ignored).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rehearse, writeReports } from "../../src/mock/rehearse.js";
import { SANDBOX_SECRET, SANDBOX_WEBHOOK_ID } from "../../src/mock/sandbox.js";
import { readSecretsFile } from "../../src/secrets-file.js";
import { readWebhookHeaders, verifyWebhook } from "../../src/webhooks/index.js";
import { type MockProcess, startMockProcess } from "../contract/mock-process.js";
import { type LaunchedBrowser, launchChromium, runBrowserTests } from "../support/chromium.js";
import { ROOT } from "../support/spec.js";

const ARTEFACTS = join(ROOT, "test-results", "sandbox");
const AUTH = { Authorization: "Bearer hk-test" };
const trusted: string[] = [SANDBOX_SECRET];
let receiver: Server;
let receiverUrl = "";
let mock: MockProcess | undefined;
let browser: LaunchedBrowser | undefined;
const requested: string[] = [];
const escaped: string[] = [];

// Verifies each delivery against `trusted()` at that moment: 204, or 401.
function startReceiver(trustedNow: () => Promise<readonly string[]>): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      try {
        const { signature, timestamp } = readWebhookHeaders(request.headers);
        verifyWebhook(Buffer.concat(chunks), signature, timestamp, [...(await trustedNow())]);
        response.writeHead(204).end();
      } catch {
        response.writeHead(401).end();
      }
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;

beforeAll(async () => {
  if (!runBrowserTests) return;
  mkdirSync(ARTEFACTS, { recursive: true });
  receiver = await startReceiver(async () => trusted);
  receiverUrl = urlOf(receiver);
  mock = await startMockProcess(["--receiver", receiverUrl, "--retry-delays", "0.3,0.6", "--quiet"]);
  browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
  // Offline: only the mock's origin (and the report's own file) may be reached.
  await browser.context.route("**/*", (route) => {
    const url = route.request().url();
    requested.push(url);
    if (url.startsWith(`${mock?.url}/`) || url.startsWith("file://")) return route.continue();
    escaped.push(url);
    return route.abort("internetdisconnected");
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await mock?.stop();
  receiver?.closeAllConnections();
  receiver?.close();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${mock?.url}${path}`, { ...init, headers: { ...AUTH, ...init.headers } });

async function openLivePage(): Promise<Page> {
  const page = await (browser as LaunchedBrowser).context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  await page.goto(`${mock?.url}/_sandbox/`);
  await page.locator("#connection", { hasText: "live" }).waitFor({ timeout: 10_000 });
  // The stream is connected: from here, every change reaches the page without a reload.
  expect(errors).toEqual([]);
  return page;
}

describe.skipIf(!runBrowserTests)("the live page at /_sandbox/ in Chromium", () => {
  it("shows an event sent through the API within a second, then its delivery", async () => {
    // --quiet prints one line, and it says where the page is.
    expect(mock?.output()).toContain(`sandbox ON, live page ${mock?.url}/_sandbox/`);
    const page = await openLivePage();
    const sent = await api(`/_sandbox/webhooks/${SANDBOX_WEBHOOK_ID}/events`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "session.completed" }),
    });
    expect(sent.status).toBe(202);
    const { event_id: id } = (await sent.json()) as { event_id: string };
    // The requirement is "within a second" of the API call: the row must be there by then.
    await page.locator(`details[data-event="${id}"]`).waitFor({ timeout: 1000 });
    const row = page.locator(`details[data-event="${id}"]`);
    await row.locator(".mark.accepted").waitFor({ timeout: 5000 });
    expect(await row.locator(".type").textContent()).toBe("session.completed");
    expect(await row.locator(".mark.accepted").textContent()).toMatch(/^✓ 204 #1 \d+ms$/);
    expect(await page.getByTestId("health").textContent()).toMatch(/^✓ last delivery succeeded/);
    await page.screenshot({ path: join(ARTEFACTS, "live-event.png"), fullPage: true });
    await page.close();
  });

  it("shows a rotation made from the keyboard, and attempts signed with the new secret", async () => {
    const page = await openLivePage();
    // Tab from the top of the page to the Rotate button, and press Enter: every control is reachable.
    const reached: string[] = [];
    for (let tries = 0; tries < 20; tries += 1) {
      await page.keyboard.press("Tab");
      const name = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
      reached.push(name);
      if (name === "Rotate the secret") break;
    }
    expect(reached).toEqual(expect.arrayContaining(["Send an event", "Ping", "Rotate the secret"]));
    const rotated = page.waitForResponse((response) => response.url().endsWith("/rotate"));
    await page.keyboard.press("Enter");
    const { secret } = (await (await rotated).json()) as { secret: string };
    expect(secret).toMatch(/^whsec_/);
    await page.getByTestId("generation").filter({ hasText: "secret #2" }).waitFor({ timeout: 5000 });
    await page.locator(".flag.rotation", { hasText: "rotated to secret #2" }).waitFor({ timeout: 5000 });

    // The receiver's deploy of the new secret; then an event sent from the page's own form.
    trusted.push(secret);
    await page.getByRole("button", { name: "Send an event" }).click();
    const signedWithNew = page.locator('.mark.accepted[data-generation="2"]');
    await signedWithNew.first().waitFor({ timeout: 5000 });
    expect(await signedWithNew.first().textContent()).toMatch(/^✓ 204 #2 \d+ms$/);
    expect(await page.locator("#result").textContent()).toMatch(/^Send session\.status_updated: 202 /);
    // The rotate answer carried the secret; the page never shows it.
    expect(await page.content()).not.toContain(secret);
    await page.screenshot({ path: join(ARTEFACTS, "live-rotation.png"), fullPage: true });
    await page.close();
  });

  it("makes no request outside the mock, under a policy that forbids any", async () => {
    const page = await openLivePage();
    const response = await page.goto(`${mock?.url}/_sandbox/`);
    await page.getByRole("button", { name: "Ping" }).click();
    await page.locator(".flag.ping").first().waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(ARTEFACTS, "live-offline.png"), fullPage: true });
    await page.close();
    expect(requested).toEqual(
      expect.arrayContaining([`${mock?.url}/_sandbox/`, `${mock?.url}/_sandbox/deliveries/stream`]),
    );
    expect(escaped).toEqual([]);
    expect(requested.every((url) => url.startsWith(`${mock?.url}/`))).toBe(true);
    // And the browser would refuse one anyway: the page's policy allows its own origin only.
    expect(response?.headers()["content-security-policy"]).toMatch(/default-src 'none'.*connect-src 'self'/);
  });
});

describe.skipIf(!runBrowserTests)("the rehearsal report in Chromium", () => {
  it("opens offline and shows the verdict and the counts of the run that wrote it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "report-"));
    try {
      const OLD = "whsec_reportOldSecretAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
      const file = join(dir, "secrets.txt");
      writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
      const fileReceiver = await startReceiver(() => readSecretsFile(file));
      const options = {
        sandbox: {
          receiver: urlOf(fileReceiver),
          eventsEvery: 0.05,
          retryDelays: [0.3, 1, 3],
          attemptTimeout: 2,
        },
        secretsFile: file,
        eventsEvery: 0.05,
        warmUp: 0.4,
        deployDelay: 0.3,
        tolerance: 1,
        quiet: true,
        report: join(ARTEFACTS, "rehearsal.html"),
        reportJson: join(dir, "rehearsal.json"),
      };
      const receiverUrl = urlOf(fileReceiver);
      const report = await rehearse(options, () => undefined).finally(() => fileReceiver.close());
      await writeReports(report, options);
      const [secret] = await readSecretsFile(file);
      for (const path of [options.report, options.reportJson]) {
        const text = readFileSync(path, "utf8");
        expect(text).not.toContain(OLD);
        expect(text).not.toContain(secret);
      }
      const data = JSON.parse(readFileSync(options.reportJson, "utf8"));
      expect(data).toMatchObject({ verdict: "PASS", receiver: receiverUrl });
      expect(data.timeline.summary).toMatchObject({ sent: report.sent, lost: 0 });

      const page = await (browser as LaunchedBrowser).context.newPage();
      const loads: string[] = [];
      page.on("request", (request) => loads.push(request.url()));
      await browser?.context.setOffline(true);
      try {
        await page.goto(pathToFileURL(options.report).href);
        expect(await page.getByTestId("verdict").textContent()).toBe("✓ PASS");
        const count = async (name: string) =>
          Number(await page.getByTestId(name).locator("strong").textContent());
        expect({
          sent: await count("sent"),
          failedFirst: await count("failed-first"),
          recovered: await count("recovered"),
          lost: await count("lost"),
        }).toEqual({
          sent: report.sent,
          failedFirst: report.firstAttemptFailures,
          recovered: report.recoveredByRetries,
          lost: 0,
        });
        expect(await page.locator("details.row").count()).toBe(report.sent);
        expect(await page.locator(".flag.retirement").count()).toBe(1);
        await page.screenshot({ path: join(ARTEFACTS, "report.png"), fullPage: true });
      } finally {
        await browser?.context.setOffline(false);
        await page.close();
      }
      expect(loads).toEqual([pathToFileURL(options.report).href]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
