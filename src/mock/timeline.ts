// A rotation as a story in time, read from a sandbox: one row per event with its delivery attempts, the
// rotations, pings, retirements and the disabling of the webhook as marks on the time axis, and a running
// summary. The live page (`/_sandbox/` and its stream) and the rehearsal report both draw this one model
// (src/mock/timeline-page.ts), so what a team watches live and what a change board reads later agree.
//
// Like the sandbox's delivery log it names secrets by generation ("secret #2") and holds no secret.
import type { DeliveryAttempt, EventRecord, Sandbox } from "./sandbox.js";

/** How one attempt ended, told apart the way an operator reads it. */
export type AttemptResult =
  | "accepted" // a 2xx
  | "rejected" // any other status: the receiver answered, and said no
  | "timeout" // no answer within the attempt timeout
  | "refused" // nothing listens there
  | "unreachable"; // another transport failure (DNS, reset, TLS)

interface TimelineAttempt {
  attempt: number;
  sent_at: string;
  secret_generation: number;
  result: AttemptResult;
  /** The receiver's status, or null when none arrived. */
  status: number | null;
  /** Why it failed, in the sandbox's words, or null when it was accepted. */
  error: string | null;
  latency_ms: number;
  /** What followed: delivered, a retry in `retry_in_s`, or lost. */
  next: "delivered" | "retry" | "lost";
  retry_in_s: number | null;
}

export interface TimelineRow {
  event_id: string;
  event_type: string;
  state: EventRecord["state"];
  attempts: TimelineAttempt[];
}

export type MarkerKind = "rotation" | "ping" | "retirement" | "disabled";

export interface TimelineMarker {
  kind: MarkerKind;
  at: string;
  /** Short words for the axis, e.g. "rotated to secret #2" or "ping: 204". */
  label: string;
  /** The secret signing from this moment on. */
  secret_generation: number;
  /** For a ping: how it ended. */
  result?: AttemptResult;
}

/** The counts a rehearsal is judged by (events only; pings are markers). */
export interface DeliverySummary {
  /** Events queued. */
  sent: number;
  attempts: number;
  /** Events whose first attempt failed. */
  failed_first_attempt: number;
  /** Events delivered by a retry after their first attempt failed. */
  recovered_by_retries: number;
  /** Events given up on: every attempt failed, or the webhook was disabled. */
  lost: number;
  /** Events still waiting for an attempt or a retry. */
  pending: number;
}

export interface WebhookState {
  id: string;
  /** Where deliveries go, with any password or query values masked (see `displayReceiver`). */
  receiver: string;
  secret_generation: number;
  disabled: boolean;
  last_delivery_status: string | null;
  last_delivery_error: string | null;
  last_delivery_at: string | null;
  last_success_at: string | null;
  consecutive_failures: number;
}

export interface Timeline {
  generated_at: string;
  webhook: WebhookState;
  summary: DeliverySummary;
  /** Newest last; at most the limit asked for (see `rows_total`). */
  rows: TimelineRow[];
  rows_total: number;
  markers: TimelineMarker[];
}

/** The sandbox's words for a failure, read back into a kind (src/mock/sandbox.ts, describeFailure). */
function attemptResult(attempt: Pick<DeliveryAttempt, "response_status" | "error">): AttemptResult {
  if (attempt.response_status !== null) return attempt.error === null ? "accepted" : "rejected";
  if (attempt.error?.startsWith("no answer within")) return "timeout";
  if (attempt.error === "connection refused") return "refused";
  return "unreachable";
}

/** The summary of a list of events: the one place these counts are defined, for the page and the report. */
export function summarise(events: readonly EventRecord[]): DeliverySummary {
  return {
    sent: events.length,
    attempts: events.reduce((total, event) => total + event.attempts.length, 0),
    failed_first_attempt: events.filter((event) => event.attempts[0]?.error != null).length,
    recovered_by_retries: events.filter((event) => event.state === "delivered" && event.attempts.length > 1)
      .length,
    lost: events.filter((event) => event.state === "lost").length,
    pending: events.filter((event) => event.state === "pending").length,
  };
}

/**
 * A receiver URL fit to show and to file: a password or query values could be credentials (a token in
 * `?key=`), so they are masked; scheme, host, port and path stay.
 */
export function displayReceiver(raw: string): string {
  if (raw === "") return "";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "(not a URL)";
  }
  if (url.password !== "") url.password = "***";
  for (const key of new Set(url.searchParams.keys())) url.searchParams.set(key, "***");
  url.hash = "";
  return url.href.replaceAll("%2A%2A%2A", "***");
}

function rowOf(record: EventRecord): TimelineRow {
  return {
    event_id: record.id,
    event_type: record.type,
    state: record.state,
    attempts: record.attempts.map((attempt) => ({
      attempt: attempt.attempt,
      sent_at: attempt.sent_at,
      secret_generation: attempt.secret_generation,
      result: attemptResult(attempt),
      status: attempt.response_status,
      error: attempt.error,
      latency_ms: attempt.latency_ms,
      next: attempt.outcome === "retry" ? "retry" : attempt.outcome === "lost" ? "lost" : "delivered",
      retry_in_s: attempt.retry_in_s,
    })),
  };
}

function pingMarker(attempt: DeliveryAttempt): TimelineMarker {
  const result = attemptResult(attempt);
  return {
    kind: "ping",
    at: attempt.sent_at,
    label: `ping: ${attempt.response_status ?? result}`,
    secret_generation: attempt.secret_generation,
    result,
  };
}

// Markers kept: a rotation a minute for a week of `npm start` stays well inside it.
const MAX_MARKERS = 10_000;

/**
 * Follows one sandbox from now on: remembers the moments the sandbox itself does not keep (each rotation,
 * the disabling, retirements told by the rehearsal), and builds a `Timeline` on demand. Listeners hear of
 * changes at most once per `coalesceMs`, so a burst of attempts costs one redraw.
 */
export class DeliveryTimeline {
  private readonly markers: TimelineMarker[] = [];
  private readonly listeners = new Map<() => void, (() => void) | undefined>();
  private readonly stopWatching: () => void;
  private cancelPending: (() => void) | undefined;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly coalesceMs = 100,
  ) {
    this.stopWatching = sandbox.subscribe((update) => {
      if (update.kind === "rotated")
        this.mark("rotation", `rotated to secret #${update.secret_generation}`, Date.parse(update.at));
      else if (update.kind === "disabled") this.mark("disabled", "webhook disabled", Date.parse(update.at));
      else this.changed();
    });
  }

  /** Puts a moment on the time axis, e.g. a retirement, which happens in the secrets file, not the sandbox. */
  mark(kind: Exclude<MarkerKind, "ping">, label: string, at = this.sandbox.clock.now()): void {
    this.markers.push({
      kind,
      at: new Date(at).toISOString(),
      label,
      secret_generation: this.sandbox.secretGeneration,
    });
    if (this.markers.length > MAX_MARKERS) this.markers.splice(0, this.markers.length - MAX_MARKERS);
    this.changed();
  }

  /** The story so far; `limit` keeps the newest rows only (the summary always counts every event). */
  snapshot(limit = Number.POSITIVE_INFINITY): Timeline {
    const events = this.sandbox.eventRecords();
    const webhook = this.sandbox.get();
    const pings = this.sandbox
      .deliveries()
      .filter((attempt) => attempt.outcome === "done")
      .map(pingMarker);
    const markers = [...this.markers, ...pings].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return {
      generated_at: new Date(this.sandbox.clock.now()).toISOString(),
      webhook: {
        id: webhook.id,
        receiver: displayReceiver(webhook.url),
        secret_generation: this.sandbox.secretGeneration,
        disabled: webhook.disabled,
        last_delivery_status: webhook.last_delivery_status ?? null,
        last_delivery_error: webhook.last_delivery_error ?? null,
        last_delivery_at: webhook.last_delivery_at ?? null,
        last_success_at: webhook.last_success_at ?? null,
        consecutive_failures: webhook.consecutive_failures ?? 0,
      },
      summary: summarise(events),
      rows: events.slice(Math.max(0, events.length - limit)).map(rowOf),
      rows_total: events.length,
      markers,
    };
  }

  /** Calls `listener` after changes (coalesced), and `closed` when the timeline closes; returns how to stop. */
  subscribe(listener: () => void, closed?: () => void): () => void {
    this.listeners.set(listener, closed);
    return () => this.listeners.delete(listener);
  }

  /** Stops following the sandbox and tells the listeners (the streams end). Safe to call twice. */
  close(): void {
    this.stopWatching();
    this.cancelPending?.();
    this.cancelPending = undefined;
    const closers = [...this.listeners.values()];
    this.listeners.clear();
    for (const closed of closers) closed?.();
  }

  // On the sandbox's clock, so a test that moves it sees the redraw too.
  private changed(): void {
    if (this.cancelPending !== undefined || this.listeners.size === 0) return;
    this.cancelPending = this.sandbox.clock.schedule(this.coalesceMs, () => {
      this.cancelPending = undefined;
      for (const listener of [...this.listeners.keys()]) listener();
    });
  }
}
