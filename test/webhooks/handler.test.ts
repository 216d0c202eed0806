// createWebhookHandler as a receiver meets it: build one valid delivery, change one thing, assert the exact
// answer; then a property over many deliveries with one random change each, and the Node (req, res) adapter on a
// real node:http server, including a body parser that got there first. Both implementations (node:crypto and
// Web Crypto) answer alike.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as nodeEntry from "../../src/webhooks/index.js";
import { buildSignedDelivery, type VerifiedWebhook, type WebhookRefusal } from "../../src/webhooks/index.js";
import * as webEntry from "../../src/webhooks/web.js";
import { count, SEED } from "./support/property-runs.js";

const OLD = "whsec_handlerOldSecretAAAAAAAAAAAAAAAAAAAAAAA";
const NEW = "whsec_handlerNewSecretBBBBBBBBBBBBBBBBBBBBBBB";
const NOW = Date.UTC(2026, 6, 2, 9, 0, 0);
const event = (id = "evt_handler") => ({
  type: "session.completed" as const,
  id,
  created_at: "2026-07-02T09:00:00Z",
  data: {
    session_id: "9c5b94b1-35ad-49bb-b118-8e8fc24abf80",
    status: "completed",
    previous_status: "running",
  },
});

interface Change {
  secret?: string;
  id?: string;
  method?: string;
  age?: number;
  body?: string;
  headers?: Record<string, string | undefined>;
}

/** A delivery signed at NOW - age, then changed as asked. */
function request({ secret = NEW, id, method = "POST", age = 0, body, headers = {} }: Change = {}): Request {
  const signed = buildSignedDelivery(event(id), secret, { timestamp: Math.floor(NOW / 1000) - age });
  const all: Record<string, string> = { ...signed.headers };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete all[name];
    else all[name] = value;
  }
  return new Request("http://127.0.0.1/webhooks", {
    method,
    headers: all,
    body: method === "GET" || method === "HEAD" ? undefined : (body ?? signed.body),
  });
}

const read = async (response: Response) => ({
  status: response.status,
  body: (await response.json()) as Record<string, unknown>,
});

describe.each([
  ["node:crypto", nodeEntry.createWebhookHandler],
  ["Web Crypto", webEntry.createWebhookHandler],
])("createWebhookHandler (%s)", (_name, createWebhookHandler) => {
  const handled: VerifiedWebhook[] = [];
  const refused: WebhookRefusal[] = [];
  const handler = createWebhookHandler({
    secrets: [{ secret: OLD, notAfter: NOW + 3_600_000 }, NEW],
    onEvent: (webhook) => {
      handled.push(webhook);
    },
    now: () => NOW,
    onRefused: (refusal) => refused.push(refusal),
  });

  it("accepts a delivery signed with the new secret: 200 with the event id, onEvent called once", async () => {
    handled.length = 0;
    expect(await read(await handler(request()))).toEqual({ status: 200, body: { received: "evt_handler" } });
    expect(handled.map((webhook) => [webhook.event.id, webhook.secretIndex])).toEqual([["evt_handler", 1]]);
  });

  it("accepts the old secret during the overlap, and refuses it once its notAfter has passed", async () => {
    expect((await handler(request({ secret: OLD }))).status).toBe(200);
    const later = createWebhookHandler({
      secrets: [{ secret: OLD, notAfter: NOW - 1 }, NEW],
      onEvent: () => undefined,
      now: () => NOW,
      onRefused: () => undefined,
    });
    expect(await read(await later(request({ secret: OLD })))).toEqual({
      status: 401,
      body: { error: "secret_expired", message: "No trusted secret signed this body and timestamp." },
    });
  });

  it.each([
    [
      "a changed body",
      { body: JSON.stringify(event()).replace("completed", "failed") },
      401,
      "signature_mismatch",
    ],
    ["a secret it does not trust", { secret: "whsec_someoneElse" }, 401, "signature_mismatch"],
    ["a stale timestamp (301 s)", { age: 301 }, 401, "timestamp_out_of_tolerance"],
    ["no signature header", { headers: { "X-H-Webhook-Signature": undefined } }, 401, "missing_signature"],
    ["no timestamp header", { headers: { "X-H-Webhook-Timestamp": undefined } }, 401, "missing_timestamp"],
    ["a malformed signature", { headers: { "X-H-Webhook-Signature": "v1,abc" } }, 401, "malformed_signature"],
    ["a body replaced by another", { body: "[]" }, 401, "signature_mismatch"],
  ] as const)("refuses %s", async (_case, change, status, reason) => {
    const response = await read(await handler(request(change as Change)));
    expect([response.status, response.body.error]).toEqual([status, reason]);
    expect(JSON.stringify(response.body)).not.toContain("whsec_");
  });

  it("answers 400 to an authentic body that is not an event envelope", async () => {
    const signed = buildSignedDelivery("[1,2]", NEW, { timestamp: Math.floor(NOW / 1000) });
    const response = await handler(
      new Request("http://127.0.0.1/", { method: "POST", headers: signed.headers, body: signed.body }),
    );
    expect((await read(response)).body.error).toBe("invalid_payload");
    expect(response.status).toBe(400);
  });

  it("answers 405 with Allow: POST to a GET, and 413 past maxBodyBytes", async () => {
    const get = await handler(request({ method: "GET" }));
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
    const small = createWebhookHandler({ secrets: NEW, onEvent: () => undefined, maxBodyBytes: 100 });
    expect((await small(request())).status).toBe(413);
    // No Content-Length: the stream is read and cut at the limit.
    const streamed = new Request("http://127.0.0.1/", {
      method: "POST",
      headers: request().headers,
      body: new Blob([JSON.stringify(event())]).stream(),
      duplex: "half",
    } as RequestInit);
    expect((await small(streamed)).status).toBe(413);
  });

  it("answers 500 when onEvent throws or the secrets cannot be loaded, and reports why to onRefused only", async () => {
    const reports: WebhookRefusal[] = [];
    const failing = createWebhookHandler({
      secrets: NEW,
      now: () => NOW,
      onEvent: () => {
        throw new Error("database down");
      },
      onRefused: (refusal) => reports.push(refusal),
    });
    expect(await read(await failing(request()))).toEqual({
      status: 500,
      body: { error: "event_handler_failed", message: "The receiver failed to process the event." },
    });
    const noSecrets = createWebhookHandler({
      secrets: async () => {
        throw new Error("vault sealed");
      },
      onEvent: () => undefined,
      onRefused: (refusal) => reports.push(refusal),
    });
    expect((await noSecrets(request())).status).toBe(500);
    expect(reports.map((report) => [report.reason, (report.error as Error).message])).toEqual([
      ["event_handler_failed", "database down"],
      ["secrets_unavailable", "vault sealed"],
    ]);
  });

  it("answers 500 no_secret when the configured secret is unset (an env var missing)", async () => {
    const unset = createWebhookHandler({
      secrets: [undefined as unknown as string],
      onEvent: () => undefined,
      onRefused: () => undefined,
    });
    expect((await read(await unset(request()))).body.error).toBe("no_secret");
  });

  it("calls the secrets function for every delivery, so a rotation counts from the next request", async () => {
    let trusted = [OLD];
    const rotating = createWebhookHandler({
      secrets: () => trusted,
      onEvent: () => undefined,
      now: () => NOW,
      onRefused: () => undefined,
    });
    expect((await rotating(request({ secret: NEW }))).status).toBe(401);
    trusted = [OLD, NEW];
    expect((await rotating(request({ secret: NEW }))).status).toBe(200);
  });

  it("says the body was already read when something consumed the Request first (500, the fix to onRefused)", async () => {
    const reports: WebhookRefusal[] = [];
    const strict = createWebhookHandler({
      secrets: NEW,
      onEvent: () => undefined,
      onRefused: (r) => reports.push(r),
    });
    const consumed = request();
    await consumed.json();
    expect((await read(await strict(consumed))).body.error).toBe("body_already_parsed");
    expect(reports[0]?.message).toMatch(/request\.json\(\).*request\.clone\(\)/);
  });

  it("answers with the Response onEvent returns", async () => {
    const custom = createWebhookHandler({
      secrets: NEW,
      now: () => NOW,
      onEvent: () => new Response("queued", { status: 202 }),
    });
    const response = await custom(request());
    expect([response.status, await response.text()]).toEqual([202, "queued"]);
  });

  it("suppresses duplicates by event id with a seen store, remembering only events handled", async () => {
    let calls = 0;
    const dedupe = createWebhookHandler({
      secrets: NEW,
      now: () => NOW,
      seen: nodeEntry.createSeenEventStore(2),
      onRefused: () => undefined,
      onEvent: () => {
        calls += 1;
        if (calls === 1) throw new Error("first attempt fails");
      },
    });
    const bodies = [];
    for (const id of ["evt_a", "evt_a", "evt_a", "evt_b", "evt_c", "evt_a"])
      bodies.push((await read(await dedupe(request({ id })))).body);
    expect(bodies).toEqual([
      { error: "event_handler_failed", message: "The receiver failed to process the event." },
      { received: "evt_a" },
      { received: "evt_a", duplicate: true },
      { received: "evt_b" },
      { received: "evt_c" },
      // The store holds two ids: evt_a was forgotten first.
      { received: "evt_a" },
    ]);
    expect(calls).toBe(5);
  });

  it("refuses bad options when created, not on the first delivery", () => {
    expect(() => createWebhookHandler({ secrets: NEW } as never)).toThrow(/onEvent must be a function/);
    expect(() => createWebhookHandler({ onEvent: () => undefined } as never)).toThrow(/secrets is missing/);
    expect(() => createWebhookHandler({ secrets: NEW, onEvent: () => undefined, maxBodyBytes: -1 })).toThrow(
      /maxBodyBytes/,
    );
  });

  it("never puts a secret, or which secret, in what it reports", () => {
    expect(
      JSON.stringify(refused.map(({ status, reason, message }) => ({ status, reason, message }))),
    ).not.toMatch(/whsec_/);
  });
});

describe("createWebhookHandler over many deliveries", () => {
  // One random change per delivery; the expected answer follows from the change alone.
  const changeArb = fc.oneof(
    fc.constant<[Change, number]>([{}, 200]),
    fc.constant<[Change, number]>([{ secret: OLD }, 200]),
    fc.integer({ min: 0, max: 300 }).map<[Change, number]>((age) => [{ age }, 200]),
    fc.integer({ min: 301, max: 10 ** 6 }).map<[Change, number]>((age) => [{ age }, 401]),
    fc.integer({ min: -(10 ** 6), max: -301 }).map<[Change, number]>((age) => [{ age }, 401]),
    fc.string({ minLength: 1 }).map<[Change, number]>((secret) => [{ secret: `whsec_${secret}` }, 401]),
    fc.constantFrom("GET", "PUT", "DELETE", "PATCH").map<[Change, number]>((method) => [{ method }, 405]),
    fc
      .string({ minLength: 1, maxLength: 200 })
      .map<[Change, number]>((extra) => [{ body: `${JSON.stringify(event())}${extra}` }, 401]),
    fc
      .constantFrom("X-H-Webhook-Signature", "X-H-Webhook-Timestamp")
      .map<[Change, number]>((name) => [{ headers: { [name]: undefined } }, 401]),
    fc
      .stringMatching(/^[!-~][ -~]{0,78}[!-~]$/)
      .map<[Change, number]>((value) => [{ headers: { "X-H-Webhook-Signature": value } }, 401]),
  );

  it.each([
    ["node:crypto", nodeEntry.createWebhookHandler],
    ["Web Crypto", webEntry.createWebhookHandler],
  ])("answers each as the change dictates (%s)", async (_name, createWebhookHandler) => {
    const handler = createWebhookHandler({
      secrets: [OLD, NEW],
      onEvent: () => undefined,
      now: () => NOW,
      onRefused: () => undefined,
    });
    const runs = 300;
    await fc.assert(
      fc.asyncProperty(changeArb, async ([change, status]) => {
        const response = await handler(request(change));
        const body = await response.text();
        expect(response.status, body).toBe(status);
        expect(body).not.toContain("whsec_");
      }),
      { numRuns: runs, seed: SEED },
    );
    count(1, runs);
    console.log(`createWebhookHandler (${_name}): ${runs} generated deliveries (seed ${SEED})`);
  });
});

describe("createNodeWebhookHandler on node:http", () => {
  const refusals: WebhookRefusal[] = [];
  const handled: string[] = [];
  const options = {
    secrets: [OLD, NEW],
    now: () => NOW,
    onEvent: (webhook: VerifiedWebhook) => {
      handled.push(webhook.event.id);
    },
    onRefused: (refusal: WebhookRefusal) => refusals.push(refusal),
  };
  const webhook = nodeEntry.createNodeWebhookHandler(options);
  // What express.json() does: read the stream, parse it, leave the object in req.body.
  const jsonParser = async (req: IncomingMessage & { body?: unknown }) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    req.body = JSON.parse(text);
  };
  // What express.raw() does: the same, but leaves the bytes.
  const rawParser = async (req: IncomingMessage & { body?: unknown }) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    req.body = Buffer.concat(chunks);
  };
  let server: Server;
  let origin = "";

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      if (req.url === "/parsed") await jsonParser(req);
      if (req.url === "/raw") await rawParser(req);
      await webhook(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const send = async (path: string, change: Change = {}) => {
    const signed = request(change);
    const response = await fetch(`${origin}${path}`, {
      method: signed.method,
      headers: signed.headers,
      body: signed.body === null ? undefined : await signed.text(),
    });
    return { status: response.status, body: await response.json() };
  };

  it("reads the raw body itself and answers like the fetch handler", async () => {
    expect(await send("/")).toEqual({ status: 200, body: { received: "evt_handler" } });
    expect((await send("/", { age: 301 })).body.error).toBe("timestamp_out_of_tolerance");
    expect((await send("/", { method: "GET" })).status).toBe(405);
    expect(handled).toEqual(["evt_handler"]);
  });

  it("uses the bytes a raw body parser left in req.body", async () => {
    expect(await send("/raw", { secret: OLD, id: "evt_raw" })).toEqual({
      status: 200,
      body: { received: "evt_raw" },
    });
  });

  it("says in plain words, with the fix, when a JSON body parser consumed the body first", async () => {
    refusals.length = 0;
    expect(await send("/parsed")).toEqual({
      status: 500,
      body: {
        error: "body_already_parsed",
        message: "Something parsed the body before the webhook handler: it cannot be verified.",
      },
    });
    expect(refusals.map((refusal) => refusal.reason)).toEqual(["body_already_parsed"]);
    expect(refusals[0]?.message).toMatch(
      /before express\.json\(\).*express\.raw\(\{ type: "application\/json" \}\).*\(req\.body is an object\)/s,
    );
  });

  it("reads the stream itself when a parser only set an empty req.body and left the stream unread", async () => {
    // body-parser 1.x (Express 4) sets req.body = {} even for a request it does not parse.
    const lenient = createServer(async (req, res) => {
      (req as IncomingMessage & { body?: unknown }).body = {};
      await webhook(req, res);
    });
    await new Promise<void>((resolve) => lenient.listen(0, "127.0.0.1", resolve));
    try {
      const signed = request({ id: "evt_lenient" });
      const response = await fetch(`http://127.0.0.1:${(lenient.address() as AddressInfo).port}/`, {
        method: "POST",
        headers: signed.headers,
        body: await signed.text(),
      });
      expect({ status: response.status, body: await response.json() }).toEqual({
        status: 200,
        body: { received: "evt_lenient" },
      });
    } finally {
      await new Promise((resolve) => lenient.close(resolve));
    }
  });

  it("answers 413 past maxBodyBytes", async () => {
    const small = nodeEntry.createNodeWebhookHandler({ ...options, maxBodyBytes: 64 });
    const tiny = createServer((req, res) => void small(req, res));
    await new Promise<void>((resolve) => tiny.listen(0, "127.0.0.1", resolve));
    try {
      const signed = request();
      const response = await fetch(`http://127.0.0.1:${(tiny.address() as AddressInfo).port}/`, {
        method: "POST",
        headers: signed.headers,
        body: await signed.text(),
      });
      expect(response.status).toBe(413);
    } finally {
      await new Promise((resolve) => tiny.close(resolve));
    }
  });
});
