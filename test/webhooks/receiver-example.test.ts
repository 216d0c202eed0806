// The example receiver as a user runs it: bundled from source, started as its own process on 127.0.0.1
// reading a secrets file, sent signed deliveries over HTTP while the file goes through a rotation
// (append the new secret, later retire the old one), stopped by PID.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendSecret, retireSecrets } from "../../src/secrets-file.js";
import { buildSignedDelivery } from "../../src/webhooks/index.js";
import { ROOT } from "../support/spec.js";
import { type ExampleProcess, startExample, stopExample } from "./support/example-process.js";

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
let secretsFile: string;
let outfile: string;
let example: ExampleProcess;
let baseUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "receiver-example-"));
  outfile = join(dir, "receiver.mjs");
  // The example imports the package by name; point those names at the sources so this tests the current code.
  await build({
    entryPoints: [join(ROOT, "examples/receiver.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    alias: {
      "hai-webhook-rotate/webhooks": join(ROOT, "src/webhooks/index.ts"),
      "hai-webhook-rotate/secrets-file": join(ROOT, "src/secrets-file.ts"),
    },
    logLevel: "silent",
  });
  secretsFile = join(dir, "webhook-secrets");
  writeFileSync(secretsFile, `${OLD}\n`, { mode: 0o600 });
  example = await startExample(outfile, { HOST: "127.0.0.1", WEBHOOK_SECRETS_FILE: secretsFile }, 10_000);
  baseUrl = example.origin;
}, 30_000);

afterAll(async () => {
  await stopExample(example);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const deliver = async (secret: string) => {
  const signed = buildSignedDelivery(event, secret);
  return (await fetch(`${baseUrl}/hooks/h`, { method: "POST", body: signed.body, headers: signed.headers }))
    .status;
};

describe("examples/receiver.ts", () => {
  it("trusts exactly what the secrets file holds at each step of a rotation, logging which secret matched but never a secret", async () => {
    expect(example.output()).toContain(`(trusting 1 secret from ${secretsFile})`);
    expect(await deliver(OLD)).toBe(204);
    expect(await deliver(NEW)).toBe(401);
    expect(example.output()).toContain(
      "verified session.completed evt_receiver_example with secret 1 of 1 (the newest)",
    );

    // Step 2 of the rotation: the new secret is appended. The very next delivery must already verify.
    await appendSecret(secretsFile, NEW);
    expect(await deliver(NEW)).toBe(204);
    expect(await deliver(OLD)).toBe(204);
    expect(example.output()).toContain("with secret 2 of 2 (the newest)");
    expect(example.output()).toContain("with secret 1 of 2\n");

    // Step 3: the old secret is retired; deliveries signed with it are refused from the next one on.
    await retireSecrets(secretsFile, 1);
    expect(await deliver(OLD)).toBe(401);
    expect(await deliver(NEW)).toBe(204);

    const forged = buildSignedDelivery(event, "whsec_notTrustedAnywhere");
    const refused = await fetch(`${baseUrl}/hooks/h`, {
      method: "POST",
      body: forged.body,
      headers: forged.headers,
    });
    expect({ status: refused.status, body: await refused.json() }).toEqual({
      status: 401,
      body: { error: "signature_mismatch" },
    });
    const unsigned = await fetch(`${baseUrl}/hooks/h`, { method: "POST", body: "{}" });
    expect(unsigned.status).toBe(400);
    expect(example.output()).toContain("rejected delivery (signature_mismatch)");
    expect(example.output()).toContain("rejected delivery (missing_signature)");
    for (const secret of [OLD, NEW]) expect(example.output()).not.toContain(secret.slice(6));
  });

  it("keeps the secrets it has when the file disappears, and says so", async () => {
    rmSync(secretsFile);
    expect(await deliver(NEW)).toBe(204);
    expect(example.output()).toMatch(
      /cannot re-read .*webhook-secrets, still trusting the 1 secret read before: No secrets file/,
    );
    writeFileSync(secretsFile, `${NEW}\n`, { mode: 0o600 });
  });

  it("refuses to start without a readable secrets file, saying what to set", async () => {
    const start = (env: Record<string, string>) =>
      startExample(outfile, { HOST: "127.0.0.1", ...env }, 10_000);
    await expect(start({})).rejects.toThrow(/exited with 1:[\s\S]*Set WEBHOOK_SECRETS_FILE to a file/);
    await expect(start({ WEBHOOK_SECRETS_FILE: join(dir, "absent") })).rejects.toThrow(/No secrets file at /);
  });
});
