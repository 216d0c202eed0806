// The rotation sandbox: one stateful webhook (the spec's example id) that really signs and delivers events to a
// receiver, retries them re-signed with whatever secret is current at send time, and keeps delivery health
// and a delivery log. It has no HTTP server of its own: the mock answers rotate/get/ping and the /_sandbox routes
// from it (see `sandboxHandler` near the end), and `npm run rehearse` drives it directly.
//
// Secrets never leave this file except in rotate's answer: logs and the delivery log name a secret by its
// generation ("secret #2"), never by value, and the secret is a #private field, so inspecting a Sandbox
// (console.log, a debugger's preview) does not show it.
import { randomBytes, randomUUID } from "node:crypto";
import type { components } from "../../generated/api.js";
import { freshSecret, MAX_BODY_BYTES, printable, problem, type StatefulHandler } from "../mock-engine.js";
import { signWebhook } from "../webhooks/index.js";

type Webhook = components["schemas"]["Webhook"];
type WebhookWithSecret = components["schemas"]["WebhookWithSecret"];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The spec's example webhook: the one webhook the sandbox keeps state for. */
export const SANDBOX_WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
/**
 * The secret the sandbox starts with when none is given: a published, sandbox-only value (it says so), printed
 * in the cheat sheet so a receiver can be configured before the first rotation. Never use it anywhere real.
 */
export const SANDBOX_SECRET = "whsec_SANDBOX_ONLY_not_a_real_secret_0000000000";
export const DEFAULT_RETRY_DELAYS_S: readonly number[] = [1, 5, 30];
export const DEFAULT_DISABLE_AFTER = 5;
export const DEFAULT_ATTEMPT_TIMEOUT_S = 10;
// Attempts and events kept: enough for a long rehearsal, bounded for an all-day `--events-every`.
const MAX_LOG_ENTRIES = 10_000;
// A receiver that never answers must not make the sandbox grow without limit: at most this many events wait
// for delivery (more are refused with 429), and at most this many attempts hold a connection at once (the
// rest queue for a slot; the attempt timeout starts once a slot is taken).
const MAX_PENDING_EVENTS = 1_000;
const MAX_CONCURRENT_ATTEMPTS = 16;
// An event the sandbox accepts is one it can deliver: its envelope fits in a request the mock itself would
// take, and its data nests no deeper than this (session events are flat; 3,600 levels once passed the
// request and then failed to serialise).
const MAX_EVENT_BYTES = MAX_BODY_BYTES;
const MAX_EVENT_DEPTH = 32;

/**
 * Time as the sandbox sees it, injectable so that tests move it forward instead of sleeping: `now` for
 * timestamps and latencies, `schedule` for retries, attempt timeouts and the event stream.
 */
export interface SandboxClock {
  /** Milliseconds since the epoch (fractions allowed). */
  now(): number;
  /** Calls `callback` once after `ms`; returns a function that cancels it. */
  schedule(ms: number, callback: () => void): () => void;
}

/** The real clock. Its timers do not keep the process alive: stopping `npm start` ends them. */
const systemClock: SandboxClock = {
  now: () => Date.now(),
  schedule(ms, callback) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface SandboxOptions {
  /** Where deliveries go (http:// and loopback are fine: this is a local tool). Without it ping answers 400. */
  receiver?: string;
  /** The starting secret; default `SANDBOX_SECRET`. */
  secret?: string;
  /** Seconds to wait before each retry; its length is the number of retries. Default 1, 5, 30. */
  retryDelays?: readonly number[];
  /** Consecutive lost events after which the webhook is disabled. Default 5. */
  disableAfter?: number;
  /** Seconds an attempt may take before it counts as failed (ping: 502). Default 10. */
  attemptTimeout?: number;
  /** One line per attempt; omit for silence. */
  log?: (line: string) => void;
  /** Injected for tests; default the global fetch. */
  fetch?: typeof fetch;
  /** Injected for tests; default `systemClock`. */
  clock?: SandboxClock;
}

/** A sandbox setting that cannot work; the message names it and says what to use instead. */
export class SandboxOptionsError extends Error {
  override readonly name = "SandboxOptionsError";
}

/** An event the sandbox refuses up front, with the HTTP status the mock answers and what to change. */
export class SandboxEventError extends Error {
  override readonly name = "SandboxEventError";
  constructor(
    readonly status: 413 | 422 | 429,
    message: string,
  ) {
    super(message);
  }
}

/** One delivery attempt, as `GET /_sandbox/deliveries` shows it. */
export interface DeliveryAttempt {
  event_id: string;
  event_type: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Which secret signed it: 1 for the starting secret, +1 per rotation. */
  secret_generation: number;
  /** The `X-H-Webhook-Timestamp` sent. */
  timestamp: string;
  sent_at: string;
  /** The receiver's HTTP status, or null when none arrived. */
  response_status: number | null;
  /** Why the attempt failed (status or transport error), or null when it succeeded. */
  error: string | null;
  latency_ms: number;
  /** What happens next: "delivered", "retry" (in `retry_in_s`), "lost", or "done" for a ping. */
  outcome: "delivered" | "retry" | "lost" | "done";
  retry_in_s: number | null;
}

/** What became of one event (pings excluded): the raw material of a rehearsal report. */
export interface EventRecord {
  id: string;
  type: string;
  state: "pending" | "delivered" | "lost";
  attempts: DeliveryAttempt[];
}

type PingResult =
  | { status: 200; body: { response_status: number } }
  | { status: 400 | 502; body: { detail: string } };

/** What the attempts need to know of an event besides its bytes. */
type EventName = Pick<Envelope, "id" | "type">;

interface Envelope {
  type: string;
  id: string;
  created_at: string;
  data: Record<string, unknown>;
}

/** What changed, for a listener (see `Sandbox.subscribe`): an event was queued (or dropped unsent by a
 *  disabled webhook), an attempt was made, the secret rotated, the webhook was disabled. Secrets are named
 *  by generation, never by value. */
export type SandboxUpdate =
  | { kind: "event"; event: EventRecord }
  | { kind: "attempt"; attempt: DeliveryAttempt; event: EventRecord | undefined }
  | { kind: "rotated"; secret_generation: number; at: string }
  | { kind: "disabled"; at: string };

// Crockford base32, as in the spec's example event ids (evt_01J2Z3K4M5N6P7Q8R9S0T1V2W3): time first, so ids sort.
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
function eventId(now: number): string {
  let time = Math.floor(now);
  let head = "";
  for (let i = 0; i < 10; i++, time = Math.floor(time / 32)) head = CROCKFORD[time % 32] + head;
  const tail = Array.from(randomBytes(16), (byte) => CROCKFORD[byte % 32]).join("");
  return `evt_${head}${tail}`;
}

// A session's life as the stream tells it, one step per event; the stream walks it over and over.
const SESSION_STEPS: ReadonlyArray<[type: string, status: string, previous: string | null]> = [
  ["session.status_updated", "running", "pending"],
  ["session.awaiting_tool_results", "awaiting_tool_results", "running"],
  ["session.status_updated", "running", "awaiting_tool_results"],
  ["session.idle", "idle", "running"],
  ["session.completed", "completed", "idle"],
];

// Data for an event queued without any: a new session, in the status its type implies.
const OTHER_ENDINGS: typeof SESSION_STEPS = [
  ["session.failed", "failed", "running"],
  ["session.timed_out", "timed_out", "running"],
];
function sessionData(type: string): Record<string, unknown> {
  const step = [...SESSION_STEPS, ...OTHER_ENDINGS].find(([stepType]) => stepType === type);
  return {
    session_id: randomUUID(),
    status: step?.[1] ?? "running",
    previous_status: step?.[2] ?? "pending",
  };
}

/** How deeply `value` nests, counted without recursion (the value may be deeper than the stack). */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== "object" || node === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function describeFailure(error: unknown, timeoutS: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return `no answer within ${timeoutS} s`;
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code === "ECONNREFUSED") return "connection refused";
  if (cause?.code) return `connection error (${cause.code})`;
  return `connection error (${error instanceof Error ? error.message : String(error)})`;
}

export class Sandbox {
  readonly webhookId = SANDBOX_WEBHOOK_ID;
  #secret: string;
  private generation = 1;
  private readonly webhook: Mutable<Webhook>;
  private readonly retryDelays: readonly number[];
  private readonly disableAfter: number;
  private readonly timeoutS: number;
  private readonly fetch: typeof fetch;
  /** The sandbox's time, for whatever records moments beside it (the live page's timeline). */
  readonly clock: SandboxClock;
  private readonly log: (line: string) => void;
  private readonly listeners = new Set<(update: SandboxUpdate) => void>();
  private readonly events = new Map<string, EventRecord>();
  private readonly attemptLog: DeliveryAttempt[] = [];
  private pending = 0;
  // Scheduled retries (cancel -> settles its promise), attempts waiting for a slot, and attempts in flight,
  // so that close() can end them all.
  private readonly retries = new Map<() => void, () => void>();
  private readonly waitingForSlot: Array<() => void> = [];
  private attemptsInFlight = 0;
  private readonly sending = new Set<AbortController>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  private consecutiveLost = 0;
  private rotatedAt: number | undefined;
  private stopStreaming: (() => void) | undefined;
  private streamStep = 0;
  private streamSession = randomUUID();

  constructor(options: SandboxOptions = {}) {
    this.#secret = checkSecret(options.secret ?? SANDBOX_SECRET);
    this.retryDelays = checkDelays(options.retryDelays ?? DEFAULT_RETRY_DELAYS_S);
    this.disableAfter = checkCount(options.disableAfter ?? DEFAULT_DISABLE_AFTER, "disableAfter");
    this.timeoutS = checkSeconds(options.attemptTimeout ?? DEFAULT_ATTEMPT_TIMEOUT_S, "attemptTimeout");
    this.fetch = options.fetch ?? fetch;
    this.clock = options.clock ?? systemClock;
    // Event types and receiver errors come from outside: escaped, they cannot forge or colour console lines.
    const log = options.log;
    this.log = log ? (line) => log(printable(line)) : () => undefined;
    const now = this.isoNow();
    this.webhook = {
      id: SANDBOX_WEBHOOK_ID,
      url: options.receiver === undefined ? "" : checkReceiver(options.receiver),
      enabled_events: ["*"],
      description: "Rotation sandbox",
      disabled: false,
      created_at: now,
      updated_at: now,
      last_delivery_status: null,
      last_delivery_error: null,
      last_delivery_at: null,
      last_success_at: null,
      consecutive_failures: 0,
    };
  }

  /** The generation of the secret now signing: 1 at start, +1 per rotation. */
  get secretGeneration(): number {
    return this.generation;
  }

  /** When the last rotation happened (ms since the epoch, on the sandbox's clock), if one did. */
  get lastRotationAt(): number | undefined {
    return this.rotatedAt;
  }

  /** Calls `listener` on every attempt, rotation and disabling, until the returned function is called. */
  subscribe(listener: (update: SandboxUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The webhook as `GET` returns it: no secret, delivery health from real attempts. */
  get(): Webhook {
    return { ...this.webhook, enabled_events: [...this.webhook.enabled_events] };
  }

  /** Replaces the secret; every attempt from now on, retries included, is signed with the new one. */
  rotate(): WebhookWithSecret {
    this.#secret = freshSecret();
    this.generation += 1;
    this.rotatedAt = this.clock.now();
    this.webhook.updated_at = new Date(this.rotatedAt).toISOString();
    this.log(`rotated: deliveries are now signed with secret #${this.generation}`);
    this.emit({ kind: "rotated", secret_generation: this.generation, at: this.webhook.updated_at });
    return { ...this.get(), secret: this.#secret };
  }

  /** One signed `ping` delivery, not retried, answered as the live API does. */
  async ping(): Promise<PingResult> {
    if (this.webhook.url === "")
      return {
        status: 400,
        body: { detail: "The sandbox has no receiver: start it with --receiver <url>." },
      };
    const data = { webhook_id: this.webhookId };
    const event = { type: "ping", id: eventId(this.clock.now()), created_at: this.isoNow(), data };
    const attempt = await this.send(event, JSON.stringify(event), 1, "ping");
    this.emit({ kind: "attempt", attempt, event: undefined });
    if (attempt.response_status === null)
      return {
        status: 502,
        body: { detail: `The webhook endpoint could not be reached: ${attempt.error}.` },
      };
    return { status: 200, body: { response_status: attempt.response_status } };
  }

  /**
   * Queues one event and delivers it in the background; returns its id. Default: a `session.status_updated`.
   * Throws `SandboxOptionsError` when there is no receiver, and `SandboxEventError` for an event it could
   * not deliver (too large, nested too deep) or when too many events already wait for delivery.
   */
  enqueue(type = "session.status_updated", data: Record<string, unknown> = sessionData(type)): string {
    if (this.webhook.url === "")
      throw new SandboxOptionsError("The sandbox has no receiver: start it with --receiver <url>.");
    if (depthOf(data, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH)
      throw new SandboxEventError(
        422,
        `Event data may nest at most ${MAX_EVENT_DEPTH} levels deep; send flatter data.`,
      );
    if (this.pending >= MAX_PENDING_EVENTS)
      throw new SandboxEventError(
        429,
        `${MAX_PENDING_EVENTS} events are already waiting for delivery (is the receiver answering?). ` +
          "Wait for them to be delivered or lost, then send again.",
      );
    const event: Envelope = { type, id: eventId(this.clock.now()), created_at: this.isoNow(), data };
    // Serialised once, now: what cannot be sent is refused here, and every attempt sends the same bytes.
    const body = JSON.stringify(event);
    if (new TextEncoder().encode(body).byteLength > MAX_EVENT_BYTES)
      throw new SandboxEventError(
        413,
        `An event is delivered as at most ${MAX_EVENT_BYTES} bytes of JSON; this one is larger. Send less data.`,
      );
    const record: EventRecord = { id: event.id, type, state: "pending", attempts: [] };
    this.events.set(event.id, record);
    this.pending += 1;
    if (this.events.size > MAX_LOG_ENTRIES) this.forgetOldestFinishedEvent();
    // Only the bytes are kept for the retries, not the parsed data as well.
    this.track(this.attempt({ id: event.id, type }, body, record, 1));
    this.emit({ kind: "event", event: { ...record, attempts: [...record.attempts] } });
    return event.id;
  }

  /** Starts a steady stream of realistic session events, one every `everyS` seconds, until `close()`. */
  streamEvents(everyS: number): void {
    checkSeconds(everyS, "events-every");
    this.stopStream();
    const tick = () => {
      this.stopStreaming = this.clock.schedule(everyS * 1000, tick);
      if (this.webhook.disabled || this.pending >= MAX_PENDING_EVENTS) return;
      const index = this.streamStep++ % SESSION_STEPS.length;
      if (index === 0) this.streamSession = randomUUID(); // each pass through the steps is a new session
      const step = SESSION_STEPS[index];
      if (step)
        this.enqueue(step[0], { session_id: this.streamSession, status: step[1], previous_status: step[2] });
    };
    this.stopStreaming = this.clock.schedule(everyS * 1000, tick);
  }

  stopStream(): void {
    this.stopStreaming?.();
    this.stopStreaming = undefined;
  }

  /** Every attempt so far (pings included), oldest first; capped at the newest 10,000. */
  deliveries(): DeliveryAttempt[] {
    return [...this.attemptLog];
  }

  clearDeliveries(): void {
    this.attemptLog.length = 0;
  }

  /** Events queued so far (not pings; the newest 10,000), with their attempts and whether they arrived. */
  eventRecords(): EventRecord[] {
    return [...this.events.values()].map((record) => ({ ...record, attempts: [...record.attempts] }));
  }

  /** Resolves once no event is waiting for an attempt or a retry (new events queued meanwhile included). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops the stream, cancels pending retries and aborts attempts in flight. Safe to call twice. */
  async close(): Promise<void> {
    this.stopStream();
    this.closed = true;
    for (const [cancel, settle] of this.retries) {
      cancel();
      settle();
    }
    this.retries.clear();
    for (const wake of this.waitingForSlot.splice(0)) wake();
    for (const controller of this.sending) controller.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private emit(update: SandboxUpdate): void {
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch {
        // a listener's failure is its own: deliveries go on
      }
    }
  }

  // Map order is insertion order: the first finished entry is the oldest one no retry still needs.
  private forgetOldestFinishedEvent(): void {
    for (const [id, record] of this.events) {
      if (record.state !== "pending") {
        this.events.delete(id);
        return;
      }
    }
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
  }

  private finish(record: EventRecord, state: "delivered" | "lost"): void {
    record.state = state;
    this.pending -= 1;
  }

  private async attempt(event: EventName, body: string, record: EventRecord, number: number): Promise<void> {
    if (this.closed) return;
    if (this.webhook.disabled) {
      this.finish(record, "lost");
      this.log(`${event.id} ${event.type} not sent: the webhook is disabled`);
      this.emit({ kind: "event", event: { ...record, attempts: [...record.attempts] } });
      return;
    }
    const attempt = await this.send(event, body, number, "event", record);
    if (this.closed) return; // closed mid-attempt: schedule nothing more
    if (attempt.outcome !== "retry")
      this.finish(record, attempt.outcome === "delivered" ? "delivered" : "lost");
    this.emit({ kind: "attempt", attempt, event: { ...record, attempts: [...record.attempts] } });
    if (attempt.outcome === "delivered") {
      this.consecutiveLost = 0;
    } else if (attempt.outcome === "lost") {
      this.consecutiveLost += 1;
      if (this.consecutiveLost >= this.disableAfter && !this.webhook.disabled) {
        this.webhook.disabled = true;
        this.webhook.updated_at = this.isoNow();
        this.log(`webhook disabled after ${this.consecutiveLost} consecutive lost events`);
        this.emit({ kind: "disabled", at: this.webhook.updated_at });
      }
    } else {
      // Awaited through `inFlight`, so `settled()` waits for retries.
      this.track(
        new Promise<void>((resolve) => {
          const cancel = this.clock.schedule((attempt.retry_in_s ?? 0) * 1000, () => {
            this.retries.delete(cancel);
            this.attempt(event, body, record, number + 1).then(resolve, resolve);
          });
          this.retries.set(cancel, resolve);
        }),
      );
    }
  }

  /** Waits for one of the MAX_CONCURRENT_ATTEMPTS slots; the returned function frees it. */
  private async slot(): Promise<() => void> {
    while (this.attemptsInFlight >= MAX_CONCURRENT_ATTEMPTS && !this.closed)
      await new Promise<void>((wake) => this.waitingForSlot.push(wake));
    this.attemptsInFlight += 1;
    return () => {
      this.attemptsInFlight -= 1;
      this.waitingForSlot.shift()?.();
    };
  }

  // One POST, signed now with the current secret, recorded in health and in the log.
  private async send(
    event: EventName,
    body: string,
    number: number,
    kind: "event" | "ping",
    record?: EventRecord,
  ): Promise<DeliveryAttempt> {
    const release = await this.slot();
    const generation = this.generation;
    const sentAt = this.clock.now();
    const timestamp = String(Math.floor(sentAt / 1000));
    let status: number | null = null;
    let error: string | null = null;
    // One controller per attempt (not a listener per attempt on a shared signal, which piles up under load).
    const controller = new AbortController();
    const cancelTimeout = this.clock.schedule(this.timeoutS * 1000, () =>
      controller.abort(new DOMException("attempt timed out", "TimeoutError")),
    );
    this.sending.add(controller);
    try {
      if (this.closed) throw new DOMException("the sandbox was closed", "AbortError");
      const response = await this.fetch(this.webhook.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-H-Webhook-Timestamp": timestamp,
          "X-H-Webhook-Signature": signWebhook(body, timestamp, this.#secret),
        },
        body,
        redirect: "manual",
        signal: controller.signal,
      });
      status = response.status;
      // Drained so the connection can be reused, but never past the timeout: a receiver that sends its
      // status and then stalls must not hold the slot.
      await response.arrayBuffer().catch(() => undefined);
      if (status < 200 || status > 299) error = `receiver answered ${status}`;
    } catch (failure) {
      error = describeFailure(failure, this.timeoutS);
    } finally {
      cancelTimeout();
      this.sending.delete(controller);
      release();
    }
    const latency = Math.round((this.clock.now() - sentAt) * 10) / 10;
    const retriesLeft = kind === "event" && number <= this.retryDelays.length;
    const retryIn = error !== null && retriesLeft ? (this.retryDelays[number - 1] ?? 0) : null;
    const outcome =
      kind === "ping" ? "done" : error === null ? "delivered" : retryIn !== null ? "retry" : "lost";
    const attempt: DeliveryAttempt = {
      event_id: event.id,
      event_type: event.type,
      attempt: number,
      secret_generation: generation,
      timestamp,
      sent_at: new Date(sentAt).toISOString(),
      response_status: status,
      error,
      latency_ms: latency,
      outcome,
      retry_in_s: retryIn,
    };
    this.recordHealth(attempt);
    record?.attempts.push(attempt);
    this.attemptLog.push(attempt);
    if (this.attemptLog.length > MAX_LOG_ENTRIES)
      this.attemptLog.splice(0, this.attemptLog.length - MAX_LOG_ENTRIES);
    this.log(formatAttempt(attempt, kind === "event" ? this.retryDelays.length + 1 : 1));
    return attempt;
  }

  private recordHealth(attempt: DeliveryAttempt): void {
    const health = this.webhook;
    health.last_delivery_at = attempt.sent_at;
    if (attempt.error === null) {
      health.last_delivery_status = "succeeded";
      health.last_delivery_error = null;
      health.last_success_at = attempt.sent_at;
      health.consecutive_failures = 0;
    } else {
      health.last_delivery_status = "failed";
      health.last_delivery_error = attempt.error;
      health.consecutive_failures = (health.consecutive_failures ?? 0) + 1;
    }
  }
}

/** The console line for one attempt: which event, which try, which secret (by generation), what came back. */
function formatAttempt(attempt: DeliveryAttempt, maxAttempts: number): string {
  const result = attempt.response_status === null ? (attempt.error ?? "") : String(attempt.response_status);
  const next =
    attempt.outcome === "retry"
      ? `, retry in ${attempt.retry_in_s} s`
      : attempt.outcome === "lost"
        ? ", LOST (no attempts left)"
        : "";
  return (
    `delivery ${attempt.event_id} ${attempt.event_type} attempt ${attempt.attempt}/${maxAttempts} ` +
    `secret #${attempt.secret_generation} -> ${result} in ${attempt.latency_ms} ms${next}`
  );
}

/** Parses `--retry-delays`: comma-separated seconds, decimals allowed; an empty value means no retries. */
export function parseRetryDelays(raw: string, source = "--retry-delays"): number[] {
  if (raw.trim() === "") return [];
  return raw.split(",").map((part) => {
    const text = part.trim();
    if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(Number(text)))
      throw new SandboxOptionsError(
        `${source} takes seconds separated by commas, such as 1,5,30 or 0.2,0.5; "${text}" is not a number of seconds.`,
      );
    return Number(text);
  });
}

/** Parses a flag's number of seconds (decimals allowed); the message names the flag. */
export function parseSeconds(raw: string, source: string, zeroAllowed = false): number {
  if (!/^\d+(\.\d+)?$/.test(raw.trim()))
    throw new SandboxOptionsError(`${source} takes a number of seconds such as 2 or 0.5, got "${raw}".`);
  return checkSeconds(Number(raw), source, zeroAllowed);
}

function checkDelays(delays: readonly number[]): readonly number[] {
  for (const delay of delays) checkSeconds(delay, "retry delay", true);
  return [...delays];
}

function checkSeconds(value: number, name: string, zeroAllowed = false): number {
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed) || value > 86_400)
    throw new SandboxOptionsError(
      `${name} must be a number of seconds ${zeroAllowed ? "from 0" : "above 0"} up to 86400, got ${value}.`,
    );
  return value;
}

function checkCount(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new SandboxOptionsError(`${name} must be a whole number of at least 1, got ${value}.`);
  return value;
}

function checkReceiver(raw: string): string {
  // `localhost:8300` parses as a URL whose scheme is "localhost:": say what was meant instead.
  if (/^[\w.-]+:\d+(?:[/?#]|$)/.test(raw.trim()))
    throw new SandboxOptionsError(
      `--receiver / MOCK_RECEIVER needs a full URL with its scheme: got "${printable(raw, 100)}", did you mean http://${printable(raw.trim(), 100)}?`,
    );
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SandboxOptionsError(
      "--receiver / MOCK_RECEIVER must be an absolute URL such as http://127.0.0.1:8787/webhooks.",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new SandboxOptionsError(`--receiver must be an http:// or https:// URL, got ${url.protocol}//.`);
  return url.href;
}

// Checked with signWebhook's own rules; the message never repeats the value.
function checkSecret(secret: string): string {
  try {
    signWebhook("{}", 1, secret);
  } catch {
    throw new SandboxOptionsError(
      "--secret / MOCK_SECRET is not a usable signing secret: pass the whole whsec_... value, without a trailing newline.",
    );
  }
  return secret;
}

// ---------------------------------------------------------------------------------------------------
// Wiring into `npm start` and `npm run rehearse`: shared flags, the HTTP answers, the cheat-sheet lines.

/** The flags `npm start` and `npm run rehearse` share, in `parseArgs` form; each has a MOCK_* variable. */
export const SANDBOX_FLAGS = {
  receiver: { type: "string" },
  secret: { type: "string" },
  "events-every": { type: "string" },
  "retry-delays": { type: "string" },
  "disable-after": { type: "string" },
  "attempt-timeout": { type: "string" },
} as const;

export const SANDBOX_USAGE = `Rotation sandbox (on when a receiver is given):
      --receiver <url>        Deliver signed events to this URL; turns the sandbox on (env MOCK_RECEIVER)
      --secret <whsec_...>    Secret to sign with before the first rotation (env MOCK_SECRET;
                              default: the published sandbox secret ${SANDBOX_SECRET})
      --events-every <s>      Stream a realistic session event every <s> seconds (env MOCK_EVENTS_EVERY)
      --retry-delays <list>   Seconds before each retry (env MOCK_RETRY_DELAYS, default ${DEFAULT_RETRY_DELAYS_S.join(",")})
      --disable-after <n>     Consecutive lost events that disable the webhook (env MOCK_DISABLE_AFTER, default ${DEFAULT_DISABLE_AFTER})
      --attempt-timeout <s>   Seconds an attempt may take; ping answers 502 past it (env MOCK_ATTEMPT_TIMEOUT, default ${DEFAULT_ATTEMPT_TIMEOUT_S})`;

export interface SandboxSettings extends SandboxOptions {
  receiver: string;
  /** Seconds between streamed events; undefined for no stream. */
  eventsEvery: number | undefined;
}

type FlagValues = { readonly [K in keyof typeof SANDBOX_FLAGS]?: string | undefined };

/** The sandbox settings from flags (first) and MOCK_* variables, or undefined when no receiver is given. */
export function sandboxSettings(
  flags: FlagValues,
  env: Readonly<Record<string, string | undefined>>,
): SandboxSettings | undefined {
  const pick = (flag: keyof typeof SANDBOX_FLAGS) => {
    const variable = `MOCK_${flag.toUpperCase().replace("-", "_")}`;
    const value = flags[flag] ?? env[variable];
    if (value === undefined || value === "") return undefined;
    return { value, source: flags[flag] === undefined ? variable : `--${flag}` };
  };
  const seconds = (flag: "events-every" | "attempt-timeout") => {
    const found = pick(flag);
    return found && parseSeconds(found.value, found.source);
  };
  const receiver = pick("receiver");
  if (receiver === undefined) return undefined;
  const secret = pick("secret");
  const retryDelays = pick("retry-delays");
  const disableAfter = pick("disable-after");
  if (disableAfter !== undefined && !/^\d+$/.test(disableAfter.value.trim()))
    throw new SandboxOptionsError(
      `${disableAfter.source} takes a whole number such as 5, got "${disableAfter.value}".`,
    );
  return {
    receiver: checkReceiver(receiver.value),
    secret: secret === undefined ? undefined : checkSecret(secret.value),
    eventsEvery: seconds("events-every"),
    retryDelays:
      retryDelays === undefined ? undefined : parseRetryDelays(retryDelays.value, retryDelays.source),
    disableAfter: disableAfter === undefined ? undefined : Number(disableAfter.value),
    attemptTimeout: seconds("attempt-timeout"),
  };
}

const EVENTS_ROUTE = "/_sandbox/webhooks/{webhook_id}/events";
const DELIVERIES_ROUTE = "/_sandbox/deliveries";

/**
 * The mock's stateful handler: get/rotate/ping of the example webhook answered from state, plus the
 * `/_sandbox` routes. The mock applies its common rules first (CORS, 401, 422, unknown-id 404, 405), so they
 * hold here too. A request with `Prefer: code=...` or `example=...` still gets the spec's example.
 */
export function sandboxHandler(sandbox: Sandbox): StatefulHandler {
  return {
    routes: [
      { method: "POST", path: EVENTS_ROUTE },
      { method: "GET", path: DELIVERIES_ROUTE },
      { method: "DELETE", path: DELIVERIES_ROUTE },
    ],
    async handle({ method, template, params, body, prefer }) {
      const id = params.webhook_id?.toLowerCase();
      if (id !== undefined && id !== sandbox.webhookId) return undefined;
      if (prefer.code !== undefined || prefer.example !== undefined) return undefined;
      switch (`${method} ${template}`) {
        case "GET /api/v2/webhooks/{webhook_id}":
          return { status: 200, body: sandbox.get() };
        case "POST /api/v2/webhooks/{webhook_id}/rotate":
          return { status: 200, body: sandbox.rotate() };
        case "POST /api/v2/webhooks/{webhook_id}/ping":
          return sandbox.ping();
        case `POST ${EVENTS_ROUTE}`: {
          const parsed = parseEventRequest(new TextDecoder().decode(body));
          if ("problem" in parsed) return { status: 422, body: { detail: [parsed.problem] } };
          try {
            return { status: 202, body: { event_id: sandbox.enqueue(parsed.type, parsed.data) } };
          } catch (error) {
            if (!(error instanceof SandboxEventError)) throw error;
            // A 422 in the shape of the body's other validation errors; the limits as problems.
            if (error.status === 422)
              return {
                status: 422,
                body: { detail: [{ loc: ["body", "data"], msg: error.message, type: "too_deep" }] },
              };
            const title = error.status === 413 ? "Content Too Large" : "Too Many Requests";
            return problem(error.status, title, error.message);
          }
        }
        case `GET ${DELIVERIES_ROUTE}`:
          return { status: 200, body: sandbox.deliveries() };
        case `DELETE ${DELIVERIES_ROUTE}`:
          sandbox.clearDeliveries();
          return { status: 204 };
        default:
          return undefined;
      }
    },
  };
}

type EventRequest =
  | { type?: string; data?: Record<string, unknown> }
  | { problem: { loc: string[]; msg: string; type: string; input: unknown } };

// The optional body of POST /_sandbox/webhooks/{id}/events: {"type": "...", "data": {...}}, both optional.
function parseEventRequest(text: string): EventRequest {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: { loc: ["body"], msg: "Body is not valid JSON", type: "json_invalid", input: text } };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { problem: { loc: ["body"], msg: "Input should be an object", type: "model_type", input: value } };
  const { type, data } = value as { type?: unknown; data?: unknown };
  if (type !== undefined && (typeof type !== "string" || type === ""))
    return {
      problem: {
        loc: ["body", "type"],
        msg: "Input should be a non-empty string",
        type: "string_type",
        input: type,
      },
    };
  if (data !== undefined && (typeof data !== "object" || data === null || Array.isArray(data)))
    return {
      problem: { loc: ["body", "data"], msg: "Input should be an object", type: "dict_type", input: data },
    };
  return { type, data: data as Record<string, unknown> | undefined };
}

/** Lines for the cheat sheet: the receiver, the secret to configure it with (a sandbox value), the routes. */
export function sandboxCheatSheet(settings: SandboxSettings, url: string): string {
  const events = `${url}${EVENTS_ROUTE.replace("{webhook_id}", SANDBOX_WEBHOOK_ID)}`;
  const secret =
    settings.secret === undefined
      ? `${SANDBOX_SECRET}   (the published sandbox secret, never a real one)`
      : "the one given with --secret / MOCK_SECRET (not printed)";
  return [
    "Rotation sandbox: ON",
    `  Delivers signed events to ${settings.receiver}`,
    `  Signing secret #1: ${secret}`,
    `  Retries after ${(settings.retryDelays ?? DEFAULT_RETRY_DELAYS_S).join(", ")} s, re-signed with the secret current at send time`,
    settings.eventsEvery === undefined
      ? "  No event stream (start with --events-every <s> for one)"
      : `  Streaming a session event every ${settings.eventsEvery} s`,
    "  get, rotate and ping of the example webhook answer from state; rotate replaces the secret at once.",
    `  Send an event:     curl -X POST ${events} -H "Authorization: Bearer hk-test" -d '{"type":"session.completed"}'`,
    `  Delivery log:      curl ${url}${DELIVERIES_ROUTE} -H "Authorization: Bearer hk-test"   (DELETE clears it)`,
  ].join("\n");
}
