// The rehearsal as a team runs it: the example receiver and the sandbox (the `rehearse` command) as two separate
// processes on 127.0.0.1, talking HTTP, sharing only the secrets file. Both are bundled from the sources with
// esbuild, as `npm run example:receiver` and `npm run rehearse` do, and stopped by PID. Short delays keep the
// whole file to a few seconds.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readSecretsFile } from "../../src/secrets-file.js";
import { ROOT } from "../support/spec.js";

const OLD = "whsec_endToEndOldSecretAAAAAAAAAAAAAAAAAAAAAAAAAA";
// Events every 50 ms; the "deploy" of the new secret takes 0.4 s, so first attempts fail in that gap and the
// retries (after 0.3, 1 and 3 s: room for a loaded machine) must get through, signed with secret #2; a 1 s
// tolerance window.
const QUICK = [
  "--events-every",
  "0.05",
  "--warm-up",
  "0.5",
  "--deploy-delay",
  "0.4",
  "--tolerance",
  "1",
  "--retry-delays",
  "0.3,1,3",
  "--attempt-timeout",
  "2",
];

let dir: string;
let receiverJs: string;
let rehearseJs: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sandbox-e2e-"));
  receiverJs = join(dir, "receiver.mjs");
  rehearseJs = join(dir, "rehearse.mjs");
  const common = { bundle: true, platform: "node", format: "esm", logLevel: "silent" } as const;
  await build({ ...common, entryPoints: [join(ROOT, "src/mock/rehearse.ts")], outfile: rehearseJs });
  await build({
    ...common,
    entryPoints: [join(ROOT, "examples/receiver.ts")],
    outfile: receiverJs,
    alias: {
      "hai-webhook-rotate/webhooks": join(ROOT, "src/webhooks/index.ts"),
      "hai-webhook-rotate/secrets-file": join(ROOT, "src/secrets-file.ts"),
    },
  });
}, 30_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGTERM");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(file: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [file, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const run = { child, output: "" };
  child.stdout!.setEncoding("utf8").on("data", (text: string) => (run.output += text));
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (run.output += text));
  return run;
}

/** The example receiver reading its trusted secrets from `secretsFile`; resolves with its URL. */
async function startReceiver(secretsFile: string) {
  const run = start(receiverJs, [], { WEBHOOK_SECRETS_FILE: secretsFile, HOST: "127.0.0.1", PORT: "0" });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`receiver did not start:\n${run.output}`)), 10_000);
    run.child.stdout!.on("data", () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    run.child.once("exit", () => reject(new Error(`receiver exited:\n${run.output}`)));
  });
  return Object.assign(run, { url }); // the same object, so `output` keeps growing
}

async function rehearseAgainst(receiverUrl: string, secretsFile: string, extra: string[] = []) {
  const run = start(rehearseJs, [
    "--receiver",
    receiverUrl,
    "--secrets-file",
    secretsFile,
    ...QUICK,
    ...extra,
  ]);
  const code = await new Promise<number | null>((resolve) => run.child.once("exit", resolve));
  return { code, output: run.output };
}

function secretsFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

describe("rehearsing a rotation with real processes", () => {
  it("the example receiver reading the secrets file loses nothing; retries arrive signed with the new secret", async () => {
    const file = secretsFile("good.txt", `${OLD}\n`);
    const receiver = await startReceiver(file);
    const { code, output } = await rehearseAgainst(receiver.url, file);

    expect(output).toMatch(/^ {2}lost {24}0 \(goal: 0\)$/m);
    expect(output).toContain("PASS: no event lost");
    expect(code).toBe(0);
    // Some events failed their first attempt during the "deploy" and were delivered by a retry signed with #2.
    expect(output).toMatch(
      /^delivery evt_\w+ session\.\S+ attempt 1\/4 secret #2 -> 401 .*retry in 0\.3 s$/m,
    );
    expect(output).toMatch(/^delivery evt_\w+ session\.\S+ attempt [234]\/4 secret #2 -> 204 in [\d.]+ ms$/m);
    expect(output).toMatch(/^ {2}recovered by retries +[1-9]/m);
    // Not before the "deploy" put the new secret in the file (0.4 s after the rotation).
    const switched = /^ {2}receiver took new secret +([\d.]+) s after the rotation/m.exec(output);
    expect(Number(switched?.[1])).toBeGreaterThanOrEqual(0.4);
    // The receiver saw both secrets at work, and the file ends with the new secret alone.
    expect(receiver.output).toMatch(/^verified session\.\S+ evt_\w+ with secret 1 of 1/m);
    expect(receiver.output).toMatch(/^verified session\.\S+ evt_\w+ with secret 2 of 2 \(the newest\)/m);
    const left = await readSecretsFile(file);
    expect(left).toHaveLength(1);
    expect(left[0]).not.toBe(OLD);
    expect(output + receiver.output).not.toContain(left[0]);
  }, 30_000);

  it("a receiver that trusts only the old secret is flagged and the rehearsal exits non-zero", async () => {
    const file = secretsFile("rotated.txt", `${OLD}\n`);
    // It reads a copy that the rotation never updates: the overlap is skipped.
    const receiver = await startReceiver(secretsFile("stale.txt", `${OLD}\n`));
    // Nothing can recover here, so shorter retries just end the run sooner (the last flag wins).
    const { code, output } = await rehearseAgainst(receiver.url, file, ["--retry-delays", "0.2,0.2"]);

    expect(code).toBe(1);
    expect(output).toMatch(/^FAIL: \d+ event\(s\) lost\.$/m);
    expect(output).toMatch(/^ {2}receiver took new secret +NEVER/m);
    expect(output).toMatch(/^ {2}ping after the rotation +answered 401$/m);
    expect(receiver.output).toMatch(/^rejected delivery \(signature_mismatch\)/m);
  }, 30_000);
});
