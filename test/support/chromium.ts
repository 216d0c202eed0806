// Finds Debian's Chromium for every browser test and decides what its absence means: a one-line skip on a
// developer machine, a failure in CI (or with REQUIRE_BROWSER=1), where the test is mandatory.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, type BrowserContextOptions, chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Flags for a quiet, sandbox-free headless run that talks to no Google service on its own. */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-quic",
  "--disable-sync",
];

function flag(value: string | undefined): boolean {
  return value !== undefined && !["", "0", "false"].includes(value.toLowerCase());
}

const browserRequired = flag(process.env.CI) || process.env.REQUIRE_BROWSER === "1";
const chromiumFound = existsSync(CHROMIUM);
const MISSING_CHROMIUM =
  `no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` ` +
  "(or point CHROMIUM_PATH at one); never `npx playwright install`";

if (!chromiumFound && !browserRequired) {
  console.warn(`SKIP browser tests: ${MISSING_CHROMIUM}.`);
}

/** Whether to run the browser tests at all; when they are required, a missing Chromium fails them instead. */
export const runBrowserTests = chromiumFound || browserRequired;

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile in a new temporary folder for every run, removed on close. */
export async function launchChromium(options: BrowserContextOptions): Promise<LaunchedBrowser> {
  if (!chromiumFound)
    throw new Error(
      `Browser tests are mandatory here (CI or REQUIRE_BROWSER=1), but there is ${MISSING_CHROMIUM}.`,
    );
  const profile = mkdtempSync(join(tmpdir(), "test-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
