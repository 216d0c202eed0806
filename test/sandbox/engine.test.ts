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
  type SandboxOptions,
  SandboxOptionsError,
} from "../../src/mock/sandbox.js";
import { verifyWebhook } from "../../src/webhooks/index.js";
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
    const { url } = await startReceiver();
    const { sandbox: box } = sandbox({ receiver: url });
    const before = box.get().updated_at;
    await new Promise((resolve) => setTimeout(resolve, 5));
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
    expect(Date.parse(first.updated_at)).toBeGreaterThan(Date.parse(before));
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
    const { url, received } = await startReceiver((n) => {
      if (n === 0) newSecret = box!.rotate().secret;
      return n === 0 ? 503 : 204;
    });
    box = sandbox({ receiver: url }).sandbox;
    const id = box.enqueue();
    await box.settled();
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
    const { url, received } = await startReceiver(() => 401);
    const { sandbox: box, lines } = sandbox({ receiver: url });
    const id = box.enqueue();
    await box.settled();
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
    const { url } = await startReceiver((n) => (n === 0 ? 500 : 200));
    const { sandbox: box } = sandbox({ receiver: url });
    box.enqueue();
    await box.settled();
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
    const { url, received } = await startReceiver();
    const { sandbox: box } = sandbox({ receiver: url });
    box.streamEvents(0.02);
    await new Promise((resolve) => setTimeout(resolve, 200));
    box.stopStream();
    await box.settled();
    // Deliveries run concurrently and may arrive out of order: read the order they were queued in.
    const types = box.eventRecords().map((event) => event.type);
    // Each session goes through the five steps: one session id per five events.
    const sessions = received.map((request) => JSON.parse(request.body).data.session_id as string);
    expect(new Set(sessions).size).toBe(Math.ceil(sessions.length / 5));
    expect(received.length).toBe(types.length);
    expect(types.length).toBeGreaterThanOrEqual(3);
    expect(types.slice(0, 3)).toEqual([
      "session.status_updated",
      "session.awaiting_tool_results",
      "session.status_updated",
    ]);
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
    const { url } = await startReceiver(() => "hang");
    const { sandbox: box } = sandbox({ receiver: url, attemptTimeout: 0.2 });
    const result = await box.ping();
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
    const { url } = await startReceiver((n) => (n === 0 ? 401 : 204));
    const { sandbox: box, lines } = sandbox({ receiver: url, retryDelays: [0.05] });
    box.enqueue();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const { secret } = box.rotate();
    await box.settled();
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
    const { url, received } = await startReceiver(() => 500);
    const { sandbox: box } = sandbox({ receiver: url, retryDelays: [0.1] });
    box.enqueue();
    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await box.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toHaveLength(1);
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
