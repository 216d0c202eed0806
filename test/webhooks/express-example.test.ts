// examples/express-server.ts as a user runs it: bundled from the file itself (the package's name pointed at the
// sources), started as its own process on 127.0.0.1 with both secrets of a rotation in its environment, sent
// signed deliveries over HTTP, stopped by PID. Then the mistake the adapter guards against, in a real Express
// app: express.json() mounted globally before the webhook route.
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildSignedDelivery,
  createNodeWebhookHandler,
  type WebhookRefusal,
} from "../../src/webhooks/index.js";
import { ROOT } from "../support/spec.js";
import { type ExampleProcess, startExample, stopExample } from "./support/example-process.js";

const PREVIOUS = "whsec_expressPreviousSecretAAAAAAAAAAAAAAAAAA";
const CURRENT = "whsec_expressCurrentSecretBBBBBBBBBBBBBBBBBBBB";
const event = (id: string) => ({
  type: "session.completed",
  id,
  created_at: "2026-07-02T09:00:00Z",
  data: {
    session_id: "9c5b94b1-35ad-49bb-b118-8e8fc24abf80",
    status: "completed",
    previous_status: "running",
  },
});

/** POSTs (or GETs) a delivery signed with `secret`, `age` seconds ago, optionally with its body changed after. */
async function deliver(
  url: string,
  { secret = CURRENT, id = "evt_express", age = 0, forge = false, method = "POST" } = {},
) {
  const signed = buildSignedDelivery(event(id), secret, { timestamp: Math.floor(Date.now() / 1000) - age });
  const body = forge ? (signed.body as string).replace("completed", "failed") : signed.body;
  const response = await fetch(url, {
    method,
    headers: signed.headers,
    body: method === "GET" ? undefined : body,
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith("{") ? JSON.parse(text) : text };
}

describe("examples/express-server.ts, started as its own process", () => {
  let dir: string;
  let example: ExampleProcess;
  let url = "";
  // The example logs after it answers: wait for the line rather than race the child's stdout.
  const printed = async (line: string) => {
    for (let tries = 0; tries < 100 && !example.output().includes(line); tries += 1)
      await new Promise((resolve) => setTimeout(resolve, 50));
    return example.output();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "express-example-"));
    const outfile = join(dir, "express-server.cjs");
    // Express is CommonJS: one CommonJS bundle of the example, Express and the sources it imports by name.
    await build({
      entryPoints: [join(ROOT, "examples/express-server.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      outfile,
      alias: { "hai-webhook-rotate/webhooks": join(ROOT, "src/webhooks/index.ts") },
      logLevel: "silent",
    });
    example = await startExample(outfile, { WEBHOOK_SECRET: CURRENT, WEBHOOK_SECRET_PREVIOUS: PREVIOUS });
    url = `${example.origin}/webhooks`;
  }, 60_000);

  afterAll(async () => {
    await stopExample(example);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("accepts a delivery signed with the new secret", async () => {
    expect(await deliver(url, { id: "evt_current" })).toEqual({
      status: 200,
      body: { received: "evt_current" },
    });
    expect(await printed("evt_current")).toContain("received session.completed evt_current (secret 1)");
  });

  it("accepts a delivery signed with the old secret during the overlap", async () => {
    expect(await deliver(url, { secret: PREVIOUS, id: "evt_previous" })).toEqual({
      status: 200,
      body: { received: "evt_previous" },
    });
    expect(await printed("evt_previous")).toContain("received session.completed evt_previous (secret 0)");
  });

  it("refuses a forged body with 401, so the platform retries", async () => {
    expect((await deliver(url, { forge: true })).body.error).toBe("signature_mismatch");
    expect((await deliver(url, { secret: "whsec_notTrustedAnywhereCCCCCCCCCCCCCCCCCCCCCC" })).status).toBe(
      401,
    );
  });

  it("refuses a stale delivery with 401", async () => {
    expect(await deliver(url, { age: 301 })).toMatchObject({
      status: 401,
      body: { error: "timestamp_out_of_tolerance" },
    });
  });

  it("leaves a GET to Express, which has no GET route there (404); the handler never sees it", async () => {
    expect((await deliver(url, { method: "GET", id: "evt_get" })).status).toBe(404);
    expect(example.output()).not.toContain("evt_get");
  });

  it("never prints a secret", () => {
    for (const secret of [PREVIOUS, CURRENT]) expect(example.output()).not.toContain(secret.slice(6));
  });
});

describe("an Express app that mounts express.json() globally, before the webhook route", () => {
  const refusals: WebhookRefusal[] = [];
  let server: Server;
  let url = "";

  beforeAll(async () => {
    const app = express();
    app.use(express.json());
    app.post(
      "/webhooks",
      createNodeWebhookHandler({
        secrets: [CURRENT],
        onEvent: () => undefined,
        onRefused: (refusal) => refusals.push(refusal),
      }),
    );
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("answers 500 body_already_parsed, and tells the receiver's owner how to mount the route", async () => {
    expect(await deliver(url)).toEqual({
      status: 500,
      body: {
        error: "body_already_parsed",
        message: "Something parsed the body before the webhook handler: it cannot be verified.",
      },
    });
    expect(refusals.map((refusal) => refusal.reason)).toEqual(["body_already_parsed"]);
    expect(refusals[0]?.message).toMatch(
      /Mount the webhook route before express\.json\(\).*express\.raw\(\{ type: "application\/json" \}\).*\(req\.body is an object\)/s,
    );
  });
});
