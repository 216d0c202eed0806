// The Worker example as a Worker runs it: bundled for a neutral platform (no Node built-ins), then called with
// real `Request` objects, the secrets in `env`.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../examples/worker.js";
import { buildSignedDelivery } from "../../src/webhooks/index.js";
import { ROOT } from "../support/spec.js";

const PREVIOUS = "whsec_workerPreviousSecretAAAAAAAAAAAAAAAAAAAA";
const CURRENT = "whsec_workerCurrentSecretBBBBBBBBBBBBBBBBBBBBB";
const event = {
  type: "session.completed",
  id: "evt_worker_example",
  created_at: "2026-07-02T09:00:00Z",
  data: {
    session_id: "9c5b94b1-35ad-49bb-b118-8e8fc24abf80",
    status: "completed",
    previous_status: "running",
  },
} as const;
const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
const rotating: Env = {
  WEBHOOK_SECRET: CURRENT,
  WEBHOOK_SECRET_PREVIOUS: PREVIOUS,
  WEBHOOK_SECRET_PREVIOUS_NOT_AFTER: inAnHour,
};

let dir: string;
let worker: { fetch(request: Request, env: Env): Promise<Response> };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "worker-example-"));
  const result = await build({
    entryPoints: [join(ROOT, "examples/worker.ts")],
    bundle: true,
    platform: "neutral",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
    alias: { "hai-webhook-rotate/webhooks/web": join(ROOT, "src/webhooks/web.ts") },
  });
  expect(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!.imports).toEqual([]);
  const file = join(dir, "worker.mjs");
  writeFileSync(file, result.outputFiles[0]!.text);
  worker = (await import(pathToFileURL(file).href)).default;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function post(secret: string, tamper = false): Request {
  const delivery = buildSignedDelivery(event, secret);
  return new Request("http://127.0.0.1/webhooks", {
    method: "POST",
    headers: delivery.headers,
    body: tamper ? delivery.body.replace("completed", "failed") : delivery.body,
  });
}

describe("the Worker example", () => {
  it("accepts a delivery signed with the current secret, reporting its position", async () => {
    const response = await worker.fetch(post(CURRENT), rotating);
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 200,
      body: { received: "evt_worker_example", type: "session.completed", secretIndex: 1 },
    });
  });

  it("accepts one signed with the previous secret until its notAfter", async () => {
    const response = await worker.fetch(post(PREVIOUS), rotating);
    expect(await response.json()).toMatchObject({ secretIndex: 0 });
  });

  it("refuses the previous secret once its notAfter has passed, as secret_expired", async () => {
    const expired = { ...rotating, WEBHOOK_SECRET_PREVIOUS_NOT_AFTER: "2026-01-01T00:00:00Z" };
    const response = await worker.fetch(post(PREVIOUS), expired);
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 401,
      body: { error: "secret_expired" },
    });
    expect((await worker.fetch(post(CURRENT), expired)).status).toBe(200);
  });

  it("refuses a changed body with 401, and answers 500 when its own secret is unset", async () => {
    const tampered = await worker.fetch(post(CURRENT, true), rotating);
    expect({ status: tampered.status, body: await tampered.json() }).toEqual({
      status: 401,
      body: { error: "signature_mismatch" },
    });
    const unset = await worker.fetch(post(CURRENT), {});
    expect({ status: unset.status, body: await unset.json() }).toEqual({
      status: 500,
      body: { error: "no_secret" },
    });
  });

  it("answers 405 to anything but POST", async () => {
    expect((await worker.fetch(new Request("http://127.0.0.1/webhooks"), rotating)).status).toBe(405);
  });
});
