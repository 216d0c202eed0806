// Options of verifyWebhook, validated: a typo or a clock in the wrong unit would otherwise fail silently.
import { WebhookVerificationError } from "./errors.js";
import { DEFAULT_TOLERANCE_SECONDS } from "./scheme.js";

export interface VerifyWebhookOptions {
  /**
   * How far, in seconds, the delivery's timestamp may be from `now()` in either direction. Default 300, the
   * platform's window. Must be a finite number >= 0; the check cannot be switched off (inject `now` to replay
   * recorded deliveries instead).
   */
  toleranceSeconds?: number;
  /** Alias of `toleranceSeconds`, the official SDK's name for it. Giving both with different values is an error. */
  toleranceS?: number;
  /** The receiver's clock in milliseconds since the Unix epoch, like `Date.now` (the default). */
  now?: () => number;
}

const KNOWN = new Set(["toleranceSeconds", "toleranceS", "now"]);

export interface ResolvedOptions {
  toleranceSeconds: number;
  nowMs: () => number;
}

const invalid = (message: string): WebhookVerificationError =>
  new WebhookVerificationError("invalid_options", message);

export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) return { toleranceSeconds: DEFAULT_TOLERANCE_SECONDS, nowMs: Date.now };
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw invalid(
      `The options must be an object such as { toleranceSeconds: 300 }, or left out; got ${options === null ? "null" : typeof options}.`,
    );
  }
  const record = options as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) {
    throw invalid(
      `Unknown option ${unknown.map((key) => JSON.stringify(key)).join(", ")}; the options are toleranceSeconds (or toleranceS) and now.`,
    );
  }
  const tolerance = pickTolerance(record.toleranceSeconds, record.toleranceS);
  const now = record.now;
  if (now !== undefined && typeof now !== "function")
    throw invalid(
      `The now option must be a function returning milliseconds, like Date.now; got a ${typeof now}.`,
    );
  const clock = (now as (() => unknown) | undefined) ?? Date.now;
  return { toleranceSeconds: tolerance, nowMs: () => checkedClock(clock()) };
}

function pickTolerance(seconds: unknown, alias: unknown): number {
  if (seconds !== undefined && alias !== undefined && seconds !== alias) {
    throw invalid("toleranceSeconds and toleranceS are the same option under two names; give only one.");
  }
  const value = seconds ?? alias ?? DEFAULT_TOLERANCE_SECONDS;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalid(
      `The tolerance must be a finite number of seconds >= 0 (default ${DEFAULT_TOLERANCE_SECONDS}); got ${typeof value === "number" ? String(value) : `a ${typeof value}`}.`,
    );
  }
  return value;
}

function checkedClock(value: unknown): number {
  if (value instanceof Date)
    throw invalid("The now option returned a Date; it must return milliseconds, e.g. () => date.getTime().");
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw invalid(
      `The now option must return a finite number of milliseconds since the epoch; it returned ${typeof value === "number" ? String(value) : `a ${typeof value}`}.`,
    );
  }
  return value;
}
