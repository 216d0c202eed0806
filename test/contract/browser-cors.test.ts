// CORS as a browser enforces it: a page on another origin calls each provider that is an HTTP server, for
// every operation, with a bearer token (which forces a preflight), and must be able to read both a success
// and an error answer, validated against the spec's schema.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type LaunchedBrowser, launchChromium, runBrowserTests } from "../support/chromium.js";
import { operationContracts } from "./operation-contract.js";
import { loadProviders, SKIP } from "./target.js";

const contracts = operationContracts(inject("contractSpec"));
const providers = (await loadProviders()).filter((provider) => provider.extras.has("http-server"));

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
async function fetchFromPage(url: string, method: string, token: string | undefined) {
  if (!browser) throw new Error("no browser");
  const tab = await browser.context.newPage();
  try {
    await tab.goto(pageOrigin);
    return await tab.evaluate(
      async ({ url, method, token }) => {
        try {
          const response = await fetch(url, {
            method,
            headers: token ? { Authorization: `Bearer ${token}` } : {},
          });
          return { status: response.status, body: (await response.json()) as Record<string, unknown> };
        } catch (error) {
          return { refused: String(error) };
        }
      },
      { url, method, token },
    );
  } finally {
    await tab.close();
  }
}

describe.skipIf(!runBrowserTests)("a browser page on another origin", () => {
  for (const provider of providers) {
    for (const contract of contracts) {
      const url = (id: string) => provider.baseUrl + contract.path.replace("{webhook_id}", id);
      const success = contract.statuses.filter((status) => status.startsWith("2")).sort()[0] ?? "200";

      it(`${contract.label} on ${provider.name}: the success answer is readable (preflighted)`, async (context) => {
        if (!provider.webhookId) return context.skip(SKIP.noWebhookId);
        const result = await fetchFromPage(url(provider.webhookId), contract.method, provider.token);
        expect(result).toMatchObject({ status: Number(success) });
        const validate = contract.validator(success, "application/json");
        expect(validate((result as { body: unknown }).body), JSON.stringify(validate.errors)).toBe(true);
      });

      it(`${contract.label} on ${provider.name}: the 401 body is readable without a token`, async () => {
        const result = await fetchFromPage(
          url("00000000-0000-4000-8000-000000000000"),
          contract.method,
          undefined,
        );
        expect(result).toMatchObject({ status: 401, body: { message: expect.any(String) } });
      });
    }
  }
});
