// The handlers in a real browser: a page bundled with esbuild starts `setupWorker(...handlers)` with MSW's
// service worker script, served by this test's own server on 127.0.0.1, then calls the raw client and the
// facade at their default regional host. Every request that would leave 127.0.0.1 is aborted and
// recorded, so the answers can only come from the service worker.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LaunchedBrowser, launchChromium, runBrowserTests } from "../support/chromium.js";
import { ROOT, specExample } from "../support/spec.js";

const ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const OTHER_ID = "00000000-0000-4000-8000-000000000000";

// Runs in the page. Imports resolve from the repository root (esbuild's resolveDir below).
const PAGE_SCRIPT = `
import { setupWorker } from "msw/browser";
import { createRotateClient, HaiAgentsClient } from "./src/index.ts";
import { handlers } from "./src/msw.ts";

window.result = await (async () => {
const worker = setupWorker(...handlers);
await worker.start({ serviceWorker: { url: "/mockServiceWorker.js" }, onUnhandledRequest: "error", quiet: true });

const raw = createRotateClient({ apiKey: "hk-browser-test" });
const rotated = await raw.POST("/api/v2/webhooks/{webhook_id}/rotate", { params: { path: { webhook_id: "${ID}" } } });
const facade = new HaiAgentsClient({ token: "hk-browser-test" });
const webhook = await facade.webhooks.rotateWebhookSecret({ webhookId: "${ID}" });
let missing;
try {
  await facade.webhooks.rotateWebhookSecret({ webhookId: "${OTHER_ID}" });
} catch (error) {
  missing = { name: error.name, statusCode: error.statusCode };
}
return { raw: { status: rotated.response.status, data: rotated.data }, facade: webhook.secret, missing };
})().catch((error) => ({ failed: String(error) }));
`;

let server: Server | undefined;
let origin = "";
let browser: LaunchedBrowser | undefined;
const escaped: string[] = [];

beforeAll(async () => {
  if (!runBrowserTests) return;
  const bundle = await build({
    stdin: { contents: PAGE_SCRIPT, resolveDir: ROOT, loader: "ts", sourcefile: "page.ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const files: Record<string, [string, string]> = {
    "/": ["text/html", '<!doctype html><title>msw page</title><script type="module" src="/app.js"></script>'],
    "/app.js": ["text/javascript", bundle.outputFiles[0]!.text],
    "/mockServiceWorker.js": [
      "text/javascript",
      readFileSync(join(ROOT, "node_modules/msw/lib/mockServiceWorker.js"), "utf8"),
    ],
  };
  server = createServer((request, response) => {
    const file = files[new URL(request.url ?? "/", "http://page").pathname];
    if (!file) return response.writeHead(404).end();
    response.writeHead(200, { "content-type": file[0], "cache-control": "no-store" }).end(file[1]);
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  browser = await launchChromium({});
  await browser.context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`)) return route.continue();
    escaped.push(url);
    return route.abort("internetdisconnected");
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  server?.close();
});

describe.skipIf(!runBrowserTests)("setupWorker(...handlers) in Chromium", () => {
  it("answers the raw client and the facade from the service worker, with nothing leaving 127.0.0.1", async () => {
    const page = await browser!.context.newPage();
    const fromWorker: string[] = [];
    page.on("response", (response) => {
      if (response.fromServiceWorker()) fromWorker.push(`${response.status()} ${response.url()}`);
    });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => "result" in window, undefined, { timeout: 30_000 });

    expect(errors).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { result: unknown }).result)).toEqual({
      raw: { status: 200, data: specExample("RotatedWebhook") },
      facade: specExample<{ secret: string }>("RotatedWebhook").secret,
      missing: { name: "NotFoundError", statusCode: 404 },
    });
    const rotate = (id: string) => `https://agp.eu.hcompany.ai/api/v2/webhooks/${id}/rotate`;
    expect(fromWorker).toEqual([`200 ${rotate(ID)}`, `200 ${rotate(ID)}`, `404 ${rotate(OTHER_ID)}`]);
    expect(escaped).toEqual([]);
  });
});
