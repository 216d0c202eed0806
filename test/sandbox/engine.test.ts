// The sandbox engine against a real receiver on 127.0.0.1: what it sends, how it signs across a rotation,
// how it retries, loses and disables, and what it keeps in health and the delivery log.
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type DeliveryAttempt,
  parseRetryDelays,
  SANDBOX_SECRET,
  SANDBOX_WEBHOOK_ID,
  Sandbox,
  SandboxEventError,
  type SandboxOptions,
  SandboxOptionsError,
  type SandboxUpdate,
} from "../../src/mock/sandbox.js";
import { verifyWebhook } from "../../src/webhooks/index.js";
import { FakeClock } from "../support/fake-clock.js";
import { ROOT } from "../support/spec.js";

interface Received {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

// A receiver whose answer to the n-th request (0-based) the test decides; it records every request.
async function startReceiver(answer: (n: number, req: Received) => number | "hang" = () => 204) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "", headers: req.headers, body };
      const status = answer(received.length, request);
      received.push(request);
      if (status !== "hang") res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url, received };
}

// The same receiver in this process, as the sandbox's injected `fetch`: no sockets, so a FakeClock alone
// decides when retries and timeouts happen. "hang" answers only when the attempt is aborted.
function inProcessReceiver(answer: (n: number, req: Received) => number | "hang" = () => 204) {
  const received: Received[] = [];
  let open = 0;
  const stats = { mostOpenAtOnce: 0 };
  const receive = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const entry = {
      method: request.method,
      headers: Object.fromEntries(request.headers) as IncomingHttpHeaders,
      body: await request.text(),
    };
    const status = answer(received.length, entry);
    received.push(entry);
    if (status !== "hang") return new Response(null, { status });
    open += 1;
    stats.mostOpenAtOnce = Math.max(stats.mostOpenAtOnce, open);
    return new Promise((_, reject) =>
      init?.signal?.addEventListener("abort", () => {
        open -= 1;
        reject(init.signal?.reason);
      }),
    );
  };
  return { url: "http://receiver.test/hooks", received, fetch: receive as typeof fetch, stats };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function sandbox(options: SandboxOptions): { sandbox: Sandbox; lines: string[] } {
  const lines: string[] = [];
  const created = new Sandbox({ retryDelays: [0.05, 0.05], log: (line) => lines.push(line), ...options });
  cleanups.push(() => created.close());
  return { sandbox: created, lines };
}

const verifies = (request: Received, secret: string): boolean => {
  try {
    verifyWebhook(
      request.body,
      String(request.headers["x-h-webhook-signature"]),
      String(request.headers["x-h-webhook-timestamp"]),
      secret,
    );
    return true;
  } catch {
    return false;
  }
};

describe("state of the example webhook", () => {
  it("starts with the receiver URL, no secret in the view, and empty delivery health", async () => {
    const { url } = await startReceiver();
    const view = sandbox({ receiver: url }).sandbox.get();
    expect(view).toMatchObject({
      id: SANDBOX_WEBHOOK_ID,
      url,
      enabled_events: ["*"],
      disabled: false,
      last_delivery_status: null,
      last_delivery_error: null,
      last_delivery_at: null,
      last_success_at: null,
      consecutive_failures: 0,
    });
    expect(view).not.toHaveProperty("secret");
    expect(JSON.stringify(view)).not.toContain("whsec_");
  });

  it("rotate returns a fresh secret the spec's pattern admits and moves updated_at", async () => {
    const clock = new FakeClock();
    const { sandbox: box } = sandbox({ receiver: "http://receiver.test/", clock });
    const before = box.get().updated_at;
    await clock.advance(5_000);
    const first = box.rotate();
    const second = box.rotate();
    // The pattern as the spec declares it, read from the file, and the exact shape of a mock secret.
    const schema = parse(
      readFileSync(join(ROOT, "openapi/components/schemas/WebhookWithSecret.yaml"), "utf8"),
    );
    const pattern = new RegExp(schema.allOf[1].properties.secret.pattern);
    expect(first.secret).toMatch(pattern);
    expect(first.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(new Set([SANDBOX_SECRET, first.secret, second.secret]).size).toBe(3);
    expect(Date.parse(first.updated_at) - Date.parse(before)).toBe(5_000);
    expect(box.secretGeneration).toBe(3);
    expect(box.get()).not.toHaveProperty("secret");
  });
});

describe("deliveries", () => {
  it("are POSTs of a one-line JSON envelope signed now with the current secret", async () => {
    const { url, received } = await startReceiver();
    const { sandbox: box } = sandbox({ receiver: url });
    const id = box.enqueue();
    await box.settled();
    const [request] = received;
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.body).not.toContain("\n");
    const timestamp = Number(request?.headers["x-h-webhook-timestamp"]);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
    expect(request?.headers["x-h-webhook-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifies(request!, SANDBOX_SECRET)).toBe(true);
    expect(JSON.parse(request!.body)).toMatchObject({
      type: "session.status_updated",
      id,
      data: { status: "running", previous_status: "pending" },
    });
  });

  it("of a type given without data carry a new session in the status that type implies", async () => {
    const { url, received } = await startReceiver();
    const { sandbox: box } = sandbox({ receiver: url });
    box.enqueue("session.completed");
    box.enqueue("session.timed_out");
    box.enqueue("order.created");
    await box.settled();
    const bodies = received
      .map((request) => JSON.parse(request.body))
      .sort((a, b) => a.type.localeCompare(b.type));
    expect(bodies.map((body) => [body.type, body.data.status, body.data.previous_status])).toEqual([
      ["order.created", "running", "pending"], // a type the spec does not list: the generic default
      ["session.completed", "completed", "idle"],
      ["session.timed_out", "timed_out", "running"],
    ]);
  });

  it("after a rotation verify with the new secret only", async () => {
    const { url, received } = await startReceiver();
    const { sandbox: box } = sandbox({ receiver: url });
    const { secret } = box.rotate();
    box.enqueue("session.completed", { session_id: "s1", status: "completed", previous_status: "running" });
    await box.settled();
    expect(verifies(received[0]!, secret)).toBe(true);
    expect(verifies(received[0]!, SANDBOX_SECRET)).toBe(false);
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      type: "session.completed",
      data: { session_id: "s1" },
    });
  });

  it("retry an event re-signed with the secret current at send time", async () => {
    let box: Sandbox | undefined;
    let newSecret = "";
    // The first attempt fails, and the secret is rotated before the retry goes out.
    const clock = new FakeClock();
    const { url, received, fetch } = inProcessReceiver((n) => {
      if (n === 0) newSecret = box!.rotate().secret;
      return n === 0 ? 503 : 204;
    });
    box = sandbox({ receiver: url, fetch, clock }).sandbox;
    const id = box.enqueue();
    await clock.advance(49);
    expect(received).toHaveLength(1); // the retry waits its 0.05 s
    await clock.advance(1);
    expect(received).toHaveLength(2);
    expect(verifies(received[0]!, SANDBOX_SECRET)).toBe(true);
    expect(verifies(received[1]!, newSecret)).toBe(true);
    expect(verifies(received[1]!, SANDBOX_SECRET)).toBe(false);
    expect(received[1]!.body).toBe(received[0]!.body); // same event, same bytes: only the signature moves
    const attempts = box.deliveries().map(({ attempt, secret_generation, outcome, response_status }) => ({
      attempt,
      secret_generation,
      outcome,
      response_status,
    }));
    expect(attempts).toEqual([
      { attempt: 1, secret_generation: 1, outcome: "retry", response_status: 503 },
      { attempt: 2, secret_generation: 2, outcome: "delivered", response_status: 204 },
    ]);
    expect(box.eventRecords()).toMatchObject([{ id, state: "delivered" }]);
  });

  it("count an event lost after its last attempt, and keep health from the attempts", async () => {
    const clock = new FakeClock();
    const { url, received, fetch } = inProcessReceiver(() => 401);
    const { sandbox: box, lines } = sandbox({ receiver: url, fetch, clock });
    const id = box.enqueue();
    await clock.advance(60_000);
    expect(received).toHaveLength(3); // first attempt + the two retries configured
    expect(box.eventRecords()).toMatchObject([{ id, state: "lost" }]);
    expect(box.get()).toMatchObject({
      last_delivery_status: "failed",
      last_delivery_error: "receiver answered 401",
      consecutive_failures: 3,
      last_success_at: null,
      disabled: false,
    });
    expect(lines.at(-1)).toMatch(
      new RegExp(`^delivery ${id} session.status_updated attempt 3/3 secret #1 -> 401 .*LOST`),
    );
  });

  it("a success resets consecutive_failures and sets last_success_at", async () => {
    const clock = new FakeClock();
    const { url, fetch } = inProcessReceiver((n) => (n === 0 ? 500 : 200));
    const { sandbox: box } = sandbox({ receiver: url, fetch, clock });
    box.enqueue();
    await clock.advance(50);
    const view = box.get();
    expect(view).toMatchObject({
      last_delivery_status: "succeeded",
      last_delivery_error: null,
      consecutive_failures: 0,
    });
    expect(view.last_success_at).toBe(view.last_delivery_at);
  });

  it("disable the webhook after the configured number of consecutive lost events, then send nothing", async () => {
    const { url, received } = await startReceiver(() => 500);
    const { sandbox: box } = sandbox({ receiver: url, retryDelays: [], disableAfter: 2 });
    box.enqueue();
    await box.settled();
    expect(box.get().disabled).toBe(false);
    box.enqueue();
    await box.settled();
    expect(box.get().disabled).toBe(true);
    box.enqueue();
    await box.settled();
    expect(received).toHaveLength(2);
    expect(box.eventRecords().map((event) => event.state)).toEqual(["lost", "lost", "lost"]);
  });

  it("count a refused connection as a failed attempt", async () => {
    const { url } = await startReceiver();
    for (const close of cleanups.splice(0)) await close(); // the receiver is gone before anything is sent
    const { sandbox: box } = sandbox({ receiver: url, retryDelays: [] });
    box.enqueue();
    await box.settled();
    expect(box.deliveries()[0]).toMatchObject({
      response_status: null,
      error: "connection refused",
      outcome: "lost",
    });
  });

  it("stream realistic session events until stopped", async () => {
    const clock = new FakeClock();
    const { url, received, fetch } = inProcessReceiver();
    const { sandbox: box } = sandbox({ receiver: url, fetch, clock });
    box.streamEvents(2);
    await clock.advance(1_999);
    expect(received).toHaveLength(0);
    await clock.advance(12_001); // seven ticks of 2 s
    box.stopStream();
    await clock.advance(60_000);
    expect(clock.pending).toBe(0);
    const types = received.map((request) => JSON.parse(request.body).type as string);
    expect(types).toEqual([
      "session.status_updated",
      "session.awaiting_tool_results",
      "session.status_updated",
      "session.idle",
      "session.completed",
      "session.status_updated",
      "session.awaiting_tool_results",
    ]);
    // Each session goes through the five steps: one session id per five events.
    const sessions = received.map((request) => JSON.parse(request.body).data.session_id as string);
    expect(new Set(sessions.slice(0, 5)).size).toBe(1);
    expect(new Set(sessions).size).toBe(2);
  });
});

describe("ping", () => {
  it("reports the receiver's status from one signed ping, not retried", async () => {
    const { url, received } = await startReceiver(() => 500);
    const { sandbox: box } = sandbox({ receiver: url });
    expect(await box.ping()).toEqual({ status: 200, body: { response_status: 500 } });
    await box.settled();
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      type: "ping",
      data: { webhook_id: SANDBOX_WEBHOOK_ID },
    });
    expect(verifies(received[0]!, SANDBOX_SECRET)).toBe(true);
    expect(box.deliveries()).toMatchObject([{ event_type: "ping", outcome: "done", response_status: 500 }]);
  });

  it("answers 502 when the receiver does not answer within the timeout", async () => {
    const clock = new FakeClock();
    const { url, fetch } = inProcessReceiver(() => "hang");
    const { sandbox: box } = sandbox({ receiver: url, attemptTimeout: 0.2, fetch, clock });
    const pinging = box.ping();
    let answered = false;
    pinging.then(() => (answered = true));
    await clock.advance(199);
    expect(answered).toBe(false);
    await clock.advance(1);
    const result = await pinging;
    expect(result.status).toBe(502);
    expect(result.body).toEqual({
      detail: "The webhook endpoint could not be reached: no answer within 0.2 s.",
    });
  });

  it("answers 400 when the sandbox has no receiver", async () => {
    const { sandbox: box } = sandbox({});
    expect(await box.ping()).toEqual({
      status: 400,
      body: { detail: expect.stringContaining("--receiver") },
    });
    expect(() => box.enqueue()).toThrow(SandboxOptionsError);
  });
});

describe("what is visible", () => {
  it("one console line per attempt names the secret's generation, never the secret", async () => {
    const clock = new FakeClock();
    const { url, fetch } = inProcessReceiver((n) => (n === 0 ? 401 : 204));
    const { sandbox: box, lines } = sandbox({ receiver: url, retryDelays: [0.05], fetch, clock });
    box.enqueue();
    await clock.advance(10);
    const { secret } = box.rotate();
    await clock.advance(40);
    const attempts = lines.filter((line) => line.startsWith("delivery "));
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatch(/attempt 1\/2 secret #1 -> 401 in [\d.]+ ms, retry in 0.05 s$/);
    expect(attempts[1]).toMatch(/attempt 2\/2 secret #2 -> 204 in [\d.]+ ms$/);
    const everything = lines.join("\n") + JSON.stringify(box.deliveries());
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(SANDBOX_SECRET);
    expect(inspect(box, { depth: 5, showHidden: true })).not.toContain(secret);
  });

  it("the delivery log lists attempts newest last and can be cleared", async () => {
    const { url } = await startReceiver();
    const { sandbox: box } = sandbox({ receiver: url });
    const first = box.enqueue();
    await box.settled();
    const second = box.enqueue();
    await box.settled();
    expect(box.deliveries().map((attempt: DeliveryAttempt) => attempt.event_id)).toEqual([first, second]);
    box.clearDeliveries();
    expect(box.deliveries()).toEqual([]);
  });

  it("close() cancels pending retries: nothing is sent afterwards", async () => {
    const clock = new FakeClock();
    const { url, received, fetch } = inProcessReceiver(() => 500);
    const { sandbox: box } = sandbox({ receiver: url, retryDelays: [0.1], fetch, clock });
    box.enqueue();
    await clock.advance(0);
    expect([received.length, clock.pending]).toEqual([1, 1]); // the retry is scheduled
    await box.close();
    expect(clock.pending).toBe(0);
    await clock.advance(60_000);
    expect(received).toHaveLength(1);
  });
});

describe("limits: a receiver or a caller cannot make the sandbox grow without bound", () => {
  const nested = (levels: number) => {
    let data: Record<string, unknown> = {};
    for (let level = 1; level < levels; level += 1) data = { child: data };
    return data;
  };

  it("refuses up front, with 422, event data nested deeper than it can deliver", async () => {
    const clock = new FakeClock();
    const { url, received, fetch } = inProcessReceiver();
    const { sandbox: box } = sandbox({ receiver: url, fetch, clock });
    box.enqueue("session.idle", nested(32)); // 32 levels: accepted
    for (const levels of [33, 3_600]) {
      expect(() => box.enqueue("session.idle", nested(levels))).toThrow(
        expect.objectContaining({ name: "SandboxEventError", status: 422 }),
      );
    }
    await clock.advance(0);
    expect(received).toHaveLength(1);
    expect(box.eventRecords()).toHaveLength(1);
  });

  it("refuses up front, with 413, an event whose envelope is larger than 64 KiB", () => {
    const { sandbox: box } = sandbox({ receiver: "http://receiver.test/", clock: new FakeClock() });
    const refused = (() => {
      try {
        box.enqueue("session.idle", { note: "é".repeat(33_000) }); // 66 kB once encoded
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(SandboxEventError);
    expect(refused).toMatchObject({ status: 413 });
    expect(box.eventRecords()).toEqual([]);
  });

  it("holds at most 16 attempts open at once and 1,000 events waiting; then answers 429", async () => {
    const clock = new FakeClock();
    const { url, received, fetch, stats } = inProcessReceiver(() => "hang");
    const { sandbox: box } = sandbox({ receiver: url, fetch, clock, retryDelays: [], attemptTimeout: 10 });
    for (let n = 0; n < 1_000; n += 1) box.enqueue();
    expect(() => box.enqueue()).toThrow(expect.objectContaining({ status: 429 }));
    await clock.advance(0);
    expect([received.length, stats.mostOpenAtOnce]).toEqual([16, 16]);
    await clock.advance(10_000); // the first 16 time out, lost; the next 16 take their slots
    expect([received.length, stats.mostOpenAtOnce]).toEqual([32, 16]);
    expect(box.eventRecords().filter((event) => event.state === "lost")).toHaveLength(16);
    box.enqueue(); // room again
  });

  it("writes control characters from an event type as escapes, so no console line is forged", async () => {
    const clock = new FakeClock();
    const { url, fetch } = inProcessReceiver();
    const { sandbox: box, lines } = sandbox({ receiver: url, fetch, clock });
    box.enqueue("x\n12:00:00  delivery evt_forged ok\u001b[31m\u2028");
    await clock.advance(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("x\\n12:00:00  delivery evt_forged ok\\u001b[31m\\u2028 attempt 1/3");
    expect(lines[0]).not.toMatch(/[\u0000-\u001f\u2028]/);
  });
});

describe("subscribers", () => {
  it("hear every event queued, attempt, rotation and disabling as it happens, until they unsubscribe", async () => {
    const clock = new FakeClock();
    const { url, fetch } = inProcessReceiver((n) => (n === 0 ? 500 : 204));
    const { sandbox: box } = sandbox({ receiver: url, fetch, clock, disableAfter: 1, retryDelays: [] });
    const heard: SandboxUpdate[] = [];
    const unsubscribe = box.subscribe((update) => heard.push(update));
    const id = box.enqueue();
    await clock.advance(0);
    box.rotate();
    unsubscribe();
    box.rotate();
    expect(heard.map((update) => update.kind)).toEqual(["event", "attempt", "disabled", "rotated"]);
    expect(heard[0]).toMatchObject({ kind: "event", event: { id, state: "pending", attempts: [] } });
    expect(heard[1]).toMatchObject({
      kind: "attempt",
      attempt: { event_id: id, response_status: 500, outcome: "lost" },
      event: { id, state: "lost", attempts: [{ attempt: 1 }] },
    });
    expect(heard[3]).toEqual({ kind: "rotated", secret_generation: 2, at: expect.any(String) });
    expect(JSON.stringify(heard)).not.toContain("whsec_");
  });
});

describe("options", () => {
  it("--retry-delays takes comma-separated seconds with decimals", () => {
    expect(parseRetryDelays("1,5,30")).toEqual([1, 5, 30]);
    expect(parseRetryDelays("0.2, 1.5")).toEqual([0.2, 1.5]);
    expect(parseRetryDelays("")).toEqual([]);
    expect(() => parseRetryDelays("1,soon")).toThrow(/"soon" is not a number of seconds/);
    expect(() => parseRetryDelays("-1")).toThrow(SandboxOptionsError);
  });

  it("refuses a receiver that is not an http(s) URL", () => {
    expect(() => new Sandbox({ receiver: "ftp://127.0.0.1/hooks" })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => new Sandbox({ receiver: "127.0.0.1:8787" })).toThrow(SandboxOptionsError);
  });

  it("refuses an unusable secret without repeating it", () => {
    const secret = "whsec_pastedWithItsNewline\n";
    let message = "";
    try {
      new Sandbox({ secret });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/--secret/);
    expect(message).not.toContain(secret);
  });
});
