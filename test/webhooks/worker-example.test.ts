// The Worker example bundled as a Worker bundler does (platform neutral, conditions workerd/worker/browser, so
// the one import is the Web Crypto implementation, no Node built-ins), then called in Node with real `Request`
// objects, the secrets in `env`. test:runtimes runs the same example in workerd itself.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
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
  // The package's own folder under its name, pointing its exports at the sources (dist/ is not built here).
  const packageDir = join(dir, "node_modules/hai-webhook-rotate");
  mkdirSync(packageDir, { recursive: true });
  const { exports } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const toSources = JSON.stringify(exports["./webhooks"])
    .replaceAll("./dist/src/", "./src/")
    .replace(/\.d\.ts"/g, '.ts"')
    .replace(/\.js"/g, '.ts"');
  symlinkSync(join(ROOT, "src"), join(packageDir, "src"));
  writeFileSync(join(dir, "worker.ts"), readFileSync(join(ROOT, "examples/worker.ts")));
  writeFileSync(
    join(packageDir, "package.json"),
    `{ "name": "hai-webhook-rotate", "type": "module", "exports": { "./webhooks": ${toSources} } }`,
  );
  const result = await build({
    // A copy outside the repository, so the package name resolves through the folder above, not to dist/.
    entryPoints: [join(dir, "worker.ts")],
    bundle: true,
    platform: "neutral",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
    conditions: ["workerd", "worker", "browser"],
    // The package by name, as a consumer's bundler finds it (its exports map, with these conditions).
  });
  expect(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!.imports).toEqual([]);
  expect(Object.keys(result.metafile.inputs)).toContain("src/webhooks/web.ts");
  expect(Object.keys(result.metafile.inputs)).not.toContain("src/webhooks/node.ts");
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
  it("accepts a delivery signed with the current secret, and logs which secret matched by position", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const response = await worker.fetch(post(CURRENT), rotating);
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 200,
      body: { received: "evt_worker_example" },
    });
    expect(log.mock.calls).toEqual([["verified session.completed evt_worker_example with secret 1"]]);
    log.mockRestore();
  });

  it("accepts one signed with the previous secret until its notAfter", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    expect((await worker.fetch(post(PREVIOUS), rotating)).status).toBe(200);
    expect(log.mock.calls).toEqual([["verified session.completed evt_worker_example with secret 0"]]);
    log.mockRestore();
  });

  it("refuses the previous secret once its notAfter has passed: 401 secret_expired", async () => {
    const expired = { ...rotating, WEBHOOK_SECRET_PREVIOUS_NOT_AFTER: "2026-01-01T00:00:00Z" };
    const response = await worker.fetch(post(PREVIOUS), expired);
    expect({ status: response.status, body: await response.json() }).toMatchObject({
      status: 401,
      body: { error: "secret_expired" },
    });
  });

  it("refuses a changed body with 401, and answers 500 when its own secret is unset", async () => {
    const tampered = await worker.fetch(post(CURRENT, true), rotating);
    expect({ status: tampered.status, body: await tampered.json() }).toMatchObject({
      status: 401,
      body: { error: "signature_mismatch" },
    });
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const unset = await worker.fetch(post(CURRENT), {});
    expect({ status: unset.status, body: await unset.json() }).toMatchObject({
      status: 500,
      body: { error: "no_secret" },
    });
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
  });

  it("answers 405 to anything but POST", async () => {
    expect((await worker.fetch(new Request("http://127.0.0.1/webhooks"), rotating)).status).toBe(405);
  });
});
