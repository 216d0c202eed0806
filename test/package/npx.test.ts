// The command as a user gets it: the package packed, installed into an empty project (global-setup.ts), run with
// `npx hai-webhook-rotate`, rotating against the mock server into a secrets file of that project.
import { execFile } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { type MockProcess, startMockProcess } from "../contract/mock-process.js";

const run = promisify(execFile);
const WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const OLD = "whsec_currentSecretTheReceiverTrusts0000000";

const { consumer } = inject("packed");
let mock: MockProcess;

beforeAll(async () => {
  mock = await startMockProcess(["--dynamic", "--quiet"]);
  return () => mock.stop();
});

const npx = (args: string[]) =>
  run("npx", ["--no-install", "hai-webhook-rotate", ...args], {
    cwd: consumer,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HAI_API_KEY: "hk-npx-test",
      HAI_BASE_URL: mock.url,
    },
  });

describe("npx hai-webhook-rotate in a project that installed the package", () => {
  it("runs the installed bin: --help, then a rotation stored in the project's secrets file", async () => {
    const help = await npx(["--help"]);
    expect(help.stdout).toMatch(/^Usage: hai-webhook-rotate <command>/);

    const file = join(consumer, "webhook-secrets");
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    const rotated = await npx(["rotate", WEBHOOK_ID, "--secrets-file", "webhook-secrets"]);
    expect(rotated.stdout).toBe("");
    expect(rotated.stderr).toContain("stored it as the last of 2 secrets in webhook-secrets");
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
    expect(lines).toEqual([OLD, expect.stringMatching(/^whsec_[A-Za-z0-9+/=_-]{20,}$/)]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
