// verifyWebhookAsync where receivers increasingly run: in Debian's Chromium, from the bundled `webhooks/web`
// module served by a local 127.0.0.1 server, with every other request refused. The page runs the same suite as
// Node (known-answer vectors, properties, hostile input), signing with the page's own Web Crypto.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LaunchedBrowser, launchChromium, runBrowserTests } from "../support/chromium.js";
import { ROOT } from "../support/spec.js";
import { count, SEED } from "./support/property-runs.js";
import type { CheckResult } from "./support/verify-suite.js";

const MODULE = "/webhooks-web.js";

// The page's harness: the suite, bound to the bundled module (kept external, so the page loads it as is).
const HARNESS = `
import { isWebhookVerificationError, verifyWebhookAsync, WEBHOOK_VERIFICATION_ERROR_REASONS } from "${MODULE}";
import { runVerifySuite } from "./test/webhooks/support/verify-suite.ts";
const encoder = new TextEncoder();
async function sign(body, timestamp, secret) {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const message = new Uint8Array(timestamp.length + 1 + bytes.length);
  message.set(encoder.encode(timestamp + "."));
  message.set(bytes, timestamp.length + 1);
  const digest = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  return "sha256=" + Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
globalThis.runSuite = (seed) => runVerifySuite(
  { verify: verifyWebhookAsync, sign, reasons: WEBHOOK_VERIFICATION_ERROR_REASONS, isVerificationError: isWebhookVerificationError },
  { seed },
);
`;

async function bundle(options: Parameters<typeof build>[0]): Promise<string> {
  const result = await build({ bundle: true, format: "esm", write: false, logLevel: "silent", ...options });
  return result.outputFiles![0]!.text;
}

describe.skipIf(!runBrowserTests)("verifyWebhookAsync in Chromium, from the bundled module", () => {
  let browser: LaunchedBrowser | undefined;
  let server: Server | undefined;
  let origin = "";
  const refused: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium({});
    const files: Record<string, string> = {
      [MODULE]: await bundle({ entryPoints: [join(ROOT, "src/webhooks/web.ts")], platform: "browser" }),
      "/harness.js": await bundle({
        stdin: { contents: HARNESS, resolveDir: ROOT, loader: "js" },
        platform: "browser",
        external: [MODULE],
      }),
      "/": '<!doctype html><meta charset="utf-8"><title>verify</title><script type="module" src="/harness.js"></script>',
    };
    server = createServer((request, response) => {
      const file = files[request.url ?? ""];
      if (file === undefined) return response.writeHead(404).end();
      response
        .writeHead(200, { "Content-Type": request.url === "/" ? "text/html" : "text/javascript" })
        .end(file);
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Only our server answers; anything else is recorded, then refused.
    await browser.context.route("**/*", (route) => {
      if (route.request().url().startsWith(`${origin}/`)) return route.continue();
      refused.push(route.request().url());
      return route.abort("internetdisconnected");
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("passes every known-answer vector, property and hostile-input check, offline", async () => {
    const page = await browser!.context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => "runSuite" in globalThis, undefined, { timeout: 10_000 });
    const results = (await page.evaluate(
      (seed) => (globalThis as unknown as { runSuite(seed: number): Promise<CheckResult[]> }).runSuite(seed),
      SEED,
    )) as CheckResult[];
    const properties = results.filter((result) => !result.name.startsWith("vector: "));
    count(
      properties.length,
      properties.reduce((sum, result) => sum + result.cases, 0),
    );
    console.log(
      `Chromium: ${results.length - properties.length} vectors and ${properties.reduce((sum, r) => sum + r.cases, 0)} generated cases (seed ${SEED})`,
    );
    expect(results.filter((result) => result.failure !== undefined)).toEqual([]);
    expect(properties.length).toBe(10);
    expect(results.length - properties.length).toBeGreaterThanOrEqual(30);
    expect({ refused, pageErrors }).toEqual({ refused: [], pageErrors: [] });
  }, 60_000);
});
