// CORS as a browser enforces it: a page on another origin calls the provider with a bearer token (which
// forces a preflight) and must be able to read both a success and an error answer.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type LaunchedBrowser, launchChromium, runBrowserTests } from "../support/chromium.js";
import { ROTATE_PATH } from "./scenarios.js";
import { SKIP } from "./target.js";

const target = inject("contractTarget");

let browser: LaunchedBrowser | undefined;
let page: Server | undefined;
let pageOrigin = "";

beforeAll(async () => {
  if (!runBrowserTests) return;
  // Browser first: when it is missing and required (CI, REQUIRE_BROWSER=1), this fails the suite.
  browser = await launchChromium({});
  // An empty page on its own port of 127.0.0.1: a different origin from the provider's.
  page = createServer((_, response) =>
    response.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>app</title>"),
  );
  await new Promise<void>((resolve) => page?.listen(0, "127.0.0.1", resolve));
  pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  page?.closeAllConnections();
  page?.close();
});

/** Runs fetch inside the page; returns what the page's script could read, or the browser's refusal. */
async function fetchFromPage(id: string, token: string | undefined) {
  if (!browser) throw new Error("no browser");
  const tab = await browser.context.newPage();
  try {
    await tab.goto(pageOrigin);
    return await tab.evaluate(
      async ({ url, token }) => {
        try {
          const response = await fetch(url, {
            method: "POST",
            headers: token ? { Authorization: `Bearer ${token}` } : {},
          });
          return { status: response.status, body: (await response.json()) as Record<string, unknown> };
        } catch (error) {
          return { refused: String(error) };
        }
      },
      { url: target.baseUrl + ROTATE_PATH.replace("{webhook_id}", id), token },
    );
  } finally {
    await tab.close();
  }
}

describe.skipIf(!runBrowserTests)("a browser page on another origin", () => {
  it("can rotate with a bearer token (preflighted) and read the new secret", async (context) => {
    if (!target.webhookId) return context.skip(SKIP.noWebhookId);
    const result = await fetchFromPage(target.webhookId, target.token);
    expect(result).toMatchObject({
      status: 200,
      body: { id: target.webhookId, secret: expect.stringMatching(/^whsec_/) },
    });
  });

  it("can read the 401 body when the token is missing", async () => {
    const result = await fetchFromPage("00000000-0000-4000-8000-000000000000", undefined);
    expect(result).toMatchObject({ status: 401, body: { message: expect.any(String) } });
  });
});
