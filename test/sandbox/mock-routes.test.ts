// `npm start -- --receiver <url>`: the compiled mock run as its own process, a receiver on 127.0.0.1 in this
// one. Get/rotate/ping answered from state, the /_sandbox routes, and the mock's common rules (401, 404, 422,
// 405, CORS) on them too.
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMockOptions } from "../../src/mock/cli.js";
import { SANDBOX_SECRET, SANDBOX_WEBHOOK_ID } from "../../src/mock/sandbox.js";
import { verifyWebhook } from "../../src/webhooks/index.js";
import { type MockProcess, startMockProcess } from "../contract/mock-process.js";

const OTHER_ID = "00000000-0000-4000-8000-000000000000";
const AUTH = { Authorization: "Bearer hk-test" };
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let receiver: ReturnType<typeof createServer>;
let mock: MockProcess;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  mock = await startMockProcess(["--receiver", receiverUrl, "--retry-delays", "0.1"]);
}, 30_000);

afterAll(async () => {
  await mock?.stop();
  receiver.close();
});

// Deliveries are asynchronous: poll the delivery log until `done` holds for it.
async function deliveriesUntil(done: (log: Array<Record<string, unknown>>) => boolean) {
  for (let tries = 0; tries < 200; tries += 1) {
    const log = await (await api("/_sandbox/deliveries")).json();
    if (done(log)) return log;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the expected deliveries did not show up in the delivery log");
}

/** A request with a Host header of our choosing (fetch will not send one), as a rebound page's would be. */
function withHost(url: string, path: string, host: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(url);
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const sent = httpRequest({
      hostname,
      port,
      path,
      method: "POST",
      headers: { ...AUTH, ...headers, Host: host },
    });
    sent.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    sent.on("error", reject);
    sent.end();
  });
}

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${mock.url}${path}`, { ...init, headers: { ...AUTH, ...init.headers } });
const webhook = `/api/v2/webhooks/${SANDBOX_WEBHOOK_ID}`;
const events = `/_sandbox/webhooks/${SANDBOX_WEBHOOK_ID}/events`;

describe("npm start --receiver: the sandbox in the mock", () => {
  it("prints the sandbox secret (a sandbox value) and the routes in the cheat sheet", async () => {
    for (let tries = 0; tries < 100 && !mock.output().includes("Delivery log:"); tries += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(mock.output()).toContain("Rotation sandbox: ON");
    expect(mock.output()).toContain(`Signing secret #1: ${SANDBOX_SECRET}   (the published sandbox secret`);
    expect(mock.output()).toContain(`/_sandbox/webhooks/${SANDBOX_WEBHOOK_ID}/events`);
  });

  it("rotate answers a fresh secret each time; get shows the new updated_at and no secret", async () => {
    const first = await (await api(`${webhook}/rotate`, { method: "POST" })).json();
    const second = await (await api(`${webhook}/rotate`, { method: "POST" })).json();
    expect(first.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(second.secret).not.toBe(first.secret);
    const got = await api(webhook);
    expect(got.status).toBe(200);
    const view = await got.json();
    expect(view).toMatchObject({ id: SANDBOX_WEBHOOK_ID, updated_at: second.updated_at });
    expect(view).not.toHaveProperty("secret");
  });

  it("POST events answers 202 and delivers signed with the current secret; the log shows it", async () => {
    const { secret } = await (await api(`${webhook}/rotate`, { method: "POST" })).json();
    await api("/_sandbox/deliveries", { method: "DELETE" });
    const response = await api(events, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        type: "session.failed",
        data: { session_id: "s", status: "failed", previous_status: "running" },
      }),
    });
    expect(response.status).toBe(202);
    const { event_id } = await response.json();
    const log = await deliveriesUntil((entries) => entries.length > 0);
    const delivery = received.find((request) => request.body.includes(event_id))!;
    expect(
      verifyWebhook(
        delivery.body,
        String(delivery.headers["x-h-webhook-signature"]),
        String(delivery.headers["x-h-webhook-timestamp"]),
        secret,
      ).event,
    ).toMatchObject({ id: event_id, type: "session.failed" });
    expect(log).toMatchObject([{ event_id, event_type: "session.failed", attempt: 1, response_status: 204 }]);
    expect(JSON.stringify(log)).not.toContain(secret);
    expect((await api("/_sandbox/deliveries", { method: "DELETE" })).status).toBe(204);
    expect(await (await api("/_sandbox/deliveries")).json()).toEqual([]);
  });

  it("ping answers the receiver's status, and get then shows the delivery health", async () => {
    const response = await api(`${webhook}/ping`, { method: "POST" });
    expect(await response.json()).toEqual({ response_status: 204 });
    await deliveriesUntil((entries) => entries.some((entry) => entry.event_type === "ping"));
    expect(mock.output()).toMatch(/^delivery evt_\w+ ping attempt 1\/1 secret #\d+ -> 204 in [\d.]+ ms$/m);
    expect(await (await api(webhook)).json()).toMatchObject({
      last_delivery_status: "succeeded",
      consecutive_failures: 0,
      last_delivery_error: null,
    });
  });

  it("the mock's rules hold on /_sandbox routes: 401, 422, 404, 405 with Allow, CORS", async () => {
    expect((await fetch(`${mock.url}${events}`, { method: "POST" })).status).toBe(401);
    expect((await fetch(`${mock.url}/_sandbox/deliveries`)).status).toBe(401);
    const invalid = await api("/_sandbox/webhooks/not-a-uuid/events", { method: "POST" });
    expect(invalid.status).toBe(422);
    expect(JSON.stringify(await invalid.json())).toContain("not-a-uuid");
    expect((await api(`/_sandbox/webhooks/${OTHER_ID}/events`, { method: "POST" })).status).toBe(404);
    const wrongMethod = await api("/_sandbox/deliveries", { method: "PUT" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toContain("DELETE");
  });

  it("answers only requests addressed to this machine: a DNS-rebound Host gets 403 and nothing happens", async () => {
    const before = received.length;
    const rebound = await withHost(mock.url, `${webhook}/rotate`, "attacker.example:4010");
    expect([rebound.status, rebound.headers["x-mock-error"]]).toEqual([403, "host-not-allowed"]);
    expect(JSON.parse(rebound.body).detail).toContain("--allowed-hosts");
    const forged = await withHost(mock.url, events, "attacker.example");
    expect(forged.status).toBe(403);
    for (const host of ["localhost:4010", "127.0.0.1", "[::1]:4010", "app.localhost"]) {
      expect((await withHost(mock.url, `${webhook}/rotate`, host)).status, host).toBe(200);
    }
    expect(received.length).toBe(before); // the refused event was never queued
  });

  it("lets this machine's pages read answers, without credentials, and refuses other origins", async () => {
    const local = await api("/_sandbox/deliveries", { headers: { Origin: "http://localhost:5173" } });
    expect(local.status).toBe(200);
    expect(local.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(local.headers.get("access-control-allow-credentials")).toBeNull();
    for (const origin of ["https://attacker.example", "null"]) {
      const refused = await api(`${webhook}/rotate`, { method: "POST", headers: { Origin: origin } });
      expect([refused.status, refused.headers.get("x-mock-error")], origin).toEqual([
        403,
        "origin-not-allowed",
      ]);
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
      const preflight = await fetch(`${mock.url}${webhook}/rotate`, {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
      });
      expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("refuses up front, with 422, an event nested too deep to deliver, and queues nothing", async () => {
    const deep = `${'{"a":'.repeat(3_600)}{}${"}".repeat(3_600)}`;
    const response = await api(events, { method: "POST", body: `{"type":"session.idle","data":${deep}}` });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      detail: [
        {
          loc: ["body", "data"],
          msg: "Event data may nest at most 32 levels deep; send flatter data.",
          type: "too_deep",
        },
      ],
    });
  });

  it("a body that is not the event shape is a 422 naming the offending part, and nothing is sent", async () => {
    const before = received.length;
    const response = await api(events, { method: "POST", body: '{"type": 7}' });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ detail: [{ loc: ["body", "type"], input: 7 }] });
    // Proved without waiting: a valid event sent after it is the only new delivery once it has arrived.
    const marker = await api(events, { method: "POST", body: '{"type": "session.idle"}' });
    const { event_id } = await marker.json();
    await deliveriesUntil((log) => log.some((entry) => entry.event_id === event_id));
    expect(received.slice(before).map((request) => JSON.parse(request.body).id)).toEqual([event_id]);
  });

  it("Prefer still returns the spec's examples, and other ids keep the mock's answers", async () => {
    const preferred = await api(`${webhook}/rotate`, { method: "POST", headers: { Prefer: "code=404" } });
    expect(preferred.status).toBe(404);
    expect((await api(`/api/v2/webhooks/${OTHER_ID}`)).status).toBe(404);
  });
});

describe("--allowed-hosts", () => {
  it("adds host names the sandbox answers to, for Host and for a page's Origin", async () => {
    const own = await startMockProcess([
      "--receiver",
      "http://127.0.0.1:9/",
      "--allowed-hosts",
      "mock.test, Dev.Box",
    ]);
    try {
      expect((await withHost(own.url, `${webhook}/rotate`, "mock.test:4010")).status).toBe(200);
      expect((await withHost(own.url, `${webhook}/rotate`, "dev.box")).status).toBe(200);
      expect((await withHost(own.url, `${webhook}/rotate`, "other.test")).status).toBe(403);
      const page = await withHost(own.url, `${webhook}/rotate`, "mock.test", {
        Origin: "http://mock.test:3000",
      });
      expect(page.headers["access-control-allow-origin"]).toBe("http://mock.test:3000");
    } finally {
      await own.stop();
    }
  });
});

describe("the sandbox's flags on npm start", () => {
  it("turn the sandbox on only with a receiver, from flags or MOCK_* variables", () => {
    expect(parseMockOptions([]).sandbox).toBeUndefined();
    const { sandbox: settings } = parseMockOptions(["--events-every", "0.5", "--retry-delays", "0.1,2"], {
      MOCK_RECEIVER: "http://127.0.0.1:8787/hooks",
    });
    expect(settings).toMatchObject({
      receiver: "http://127.0.0.1:8787/hooks",
      eventsEvery: 0.5,
      retryDelays: [0.1, 2],
      secret: undefined,
    });
  });

  it("refuse bad values by naming the flag or variable, never echoing a secret", () => {
    expect(() => parseMockOptions(["--receiver", "127.0.0.1:8787"])).toThrow(
      '--receiver / MOCK_RECEIVER needs a full URL with its scheme: got "127.0.0.1:8787", did you mean http://127.0.0.1:8787?',
    );
    expect(() => parseMockOptions(["--receiver", "localhost:8300"])).toThrow(
      '--receiver / MOCK_RECEIVER needs a full URL with its scheme: got "localhost:8300", did you mean http://localhost:8300?',
    );
    expect(() => parseMockOptions(["--receiver", "not a url"])).toThrow(
      /--receiver \/ MOCK_RECEIVER must be/,
    );
    expect(() =>
      parseMockOptions(["--receiver", "http://127.0.0.1:1/"], { MOCK_RETRY_DELAYS: "1,soon" }),
    ).toThrow(/MOCK_RETRY_DELAYS takes seconds/);
    const secret = `${SANDBOX_SECRET}\n`;
    expect(() => parseMockOptions(["--receiver", "http://127.0.0.1:1/", "--secret", secret])).toThrow(
      expect.objectContaining({
        name: "MockOptionsError",
        message: expect.not.stringContaining(secret.trim()),
      }),
    );
  });
});
