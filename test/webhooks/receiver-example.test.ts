// The example receiver as a user runs it: bundled from source, started as its own process on 127.0.0.1,
// sent signed deliveries over HTTP, stopped by PID.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSignedDelivery } from "../../src/webhooks/index.js";
import { ROOT } from "../support/spec.js";

const OLD = "whsec_exampleOldSecretAAAAAAAAAAAAAAAAAAAAAAAA";
const NEW = "whsec_exampleNewSecretBBBBBBBBBBBBBBBBBBBBBBBB";
const event = {
  type: "session.completed",
  id: "evt_receiver_example",
  created_at: "2026-07-02T09:00:00Z",
  data: {
    session_id: "9c5b94b1-35ad-49bb-b118-8e8fc24abf80",
    status: "completed",
    previous_status: "running",
  },
} as const;

let dir: string;
let child: ChildProcess;
let baseUrl: string;
let output = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "receiver-example-"));
  const outfile = join(dir, "receiver.mjs");
  // The example imports the package by name; point that name at the sources so this tests the current code.
  await build({
    entryPoints: [join(ROOT, "examples/receiver.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    alias: { "hai-webhook-rotate/webhooks": join(ROOT, "src/webhooks/index.ts") },
    logLevel: "silent",
  });
  child = spawn(process.execPath, [outfile], {
    env: {
      PATH: process.env.PATH,
      WEBHOOK_SECRET_OLD: OLD,
      WEBHOOK_SECRET_NEW: NEW,
      HOST: "127.0.0.1",
      PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.setEncoding("utf8").on("data", (text: string) => (output += text));
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (output += text));
  baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`receiver did not start:\n${output}`)), 10_000);
    child.stdout!.on("data", () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`receiver exited with ${code}:\n${output}`)));
  });
}, 30_000);

afterAll(async () => {
  if (child?.pid !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(child.pid, "SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const post = (body: string, headers: Record<string, string>) =>
  fetch(`${baseUrl}/hooks/h`, { method: "POST", body, headers });

describe("examples/receiver.ts", () => {
  it("accepts deliveries signed with either secret, logs which one matched, refuses a forgery, and never logs a secret", async () => {
    expect(output).toContain("(trusting: old, new)");

    const signedNew = buildSignedDelivery(event, NEW);
    expect((await post(signedNew.body, signedNew.headers)).status).toBe(204);
    const signedOld = buildSignedDelivery(event, OLD);
    expect((await post(signedOld.body, signedOld.headers)).status).toBe(204);

    const forged = buildSignedDelivery(event, "whsec_notTrustedAnywhere");
    const refused = await post(forged.body, forged.headers);
    expect({ status: refused.status, body: await refused.json() }).toEqual({
      status: 401,
      body: { error: "signature_mismatch" },
    });

    const unsigned = await post(signedNew.body, { "Content-Type": "application/json" });
    expect(unsigned.status).toBe(400);

    expect(output).toContain("verified session.completed evt_receiver_example with the new secret");
    expect(output).toContain("verified session.completed evt_receiver_example with the old secret");
    expect(output).toContain("rejected delivery (signature_mismatch)");
    expect(output).toContain("rejected delivery (missing_signature)");
    for (const secret of [OLD, NEW]) expect(output).not.toContain(secret.slice(6));
  });
});
