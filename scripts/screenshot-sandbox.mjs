#!/usr/bin/env node
// `npm run screenshot:sandbox`: the README's picture of the live page, taken during a real rehearsal.
//
// The example receiver (examples/receiver.ts) and `npm run rehearse -- --watch` run as two processes on
// 127.0.0.1, bundled from the sources as `npm run example:receiver` and `npm run rehearse` do, sharing a
// secrets file in a temporary folder. Chromium opens the watch page offline (any request elsewhere is
// aborted), and the shot is taken a moment after the old secret is retired, when the whole story is on
// the page: first attempts refused during the deploy, retries signed with secret #2 accepted, the rotation,
// the ping and the retirement on the time axis. The same run writes its report next to the test artefacts.
//
// Writes docs/images/sandbox.png, and test-results/sandbox/rehearsal-example.{html,json}.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PICTURE = join(ROOT, "docs", "images", "sandbox.png");
const REPORTS = join(ROOT, "test-results", "sandbox");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
// The flags test/support/chromium.ts launches with: headless, quiet, no call home.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-quic",
  "--disable-sync",
];
// Events every 0.5 s; the deploy of the new secret takes 1.5 s, so a few first attempts fail and their
// retries (after 1, 2 and 4 s) recover them; short windows keep every row of the run in the picture.
const REHEARSAL = [
  "--events-every",
  "0.5",
  "--warm-up",
  "4",
  "--deploy-delay",
  "1.5",
  "--tolerance",
  "4",
  "--retry-delays",
  "1,2,4",
  "--quiet",
  "--watch",
];

const children = [];
function start(file, args, env) {
  const child = spawn(process.execPath, [file, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  const collect = (chunk) => {
    output += chunk;
  };
  child.stdout.setEncoding("utf8").on("data", collect);
  child.stderr.setEncoding("utf8").on("data", collect);
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  /** Resolves with the first match of `pattern` in the output; rejects if the process ends first. */
  const waitFor = async (pattern, timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(output);
      if (match) return match;
      if (child.exitCode !== null || Date.now() > until)
        throw new Error(`${file} did not print ${pattern} (exit ${child.exitCode}):\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, waitFor, exited, output: () => output };
}

async function bundles() {
  const common = { bundle: true, platform: "node", format: "esm", logLevel: "warning" };
  const receiver = join(ROOT, "dist", "examples", "receiver.mjs");
  const rehearse = join(ROOT, "dist", "mock", "rehearse.mjs");
  await build({
    ...common,
    entryPoints: [join(ROOT, "examples", "receiver.ts")],
    outfile: receiver,
    alias: {
      "hai-webhook-rotate/webhooks": "./src/webhooks/index.ts",
      "hai-webhook-rotate/secrets-file": "./src/secrets-file.ts",
    },
    absWorkingDir: ROOT,
  });
  await build({ ...common, entryPoints: [join(ROOT, "src", "mock", "rehearse.ts")], outfile: rehearse });
  return { receiver, rehearse };
}

async function main() {
  const { receiver, rehearse } = await bundles();
  const dir = mkdtempSync(join(tmpdir(), "screenshot-sandbox-"));
  let browser;
  try {
    const secrets = join(dir, "webhook-secrets");
    // A throwaway secret for this run only: the receiver must trust something before the first rotation.
    writeFileSync(secrets, `whsec_${randomBytes(32).toString("base64url")}\n`, { mode: 0o600 });
    const listening = start(receiver, [], { WEBHOOK_SECRETS_FILE: secrets, PORT: "0" });
    const [, receiverUrl] = await listening.waitFor(/listening on (http:\/\/\S+)/);
    mkdirSync(REPORTS, { recursive: true });
    const report = join(REPORTS, "rehearsal-example.html");
    const rehearsal = start(rehearse, [
      "--receiver",
      `${receiverUrl}/webhooks`,
      "--secrets-file",
      secrets,
      ...REHEARSAL,
      "--report",
      report,
      "--report-json",
      join(REPORTS, "rehearsal-example.json"),
    ]);
    const [, pageUrl] = await rehearsal.waitFor(/watch it live: (http:\/\/\S+)/);
    const origin = new URL(pageUrl).origin;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
    const escaped = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`)) return route.continue();
      escaped.push(url);
      return route.abort("internetdisconnected");
    });
    await page.goto(pageUrl);
    await rehearsal.waitFor(/^6\. retired/m);
    await page.locator(".flag.retirement").waitFor({ timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 2000)); // a few deliveries on secret #2 alone
    mkdirSync(dirname(PICTURE), { recursive: true });
    await page.screenshot({ path: PICTURE, fullPage: true });
    if (escaped.length > 0) throw new Error(`the page asked for something outside the mock: ${escaped}`);

    const code = await rehearsal.exited;
    const verdict = /^(PASS|FAIL):.*$/m.exec(rehearsal.output())?.[0] ?? "(no verdict printed)";
    console.log(`Wrote ${PICTURE}\nRehearsal: ${verdict}\nReport: ${report}`);
    return code === 0 ? 0 : 1;
  } finally {
    await browser?.close();
    for (const child of children) if (child.exitCode === null) process.kill(child.pid, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`Screenshot not taken: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
