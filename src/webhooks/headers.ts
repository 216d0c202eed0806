// Reads the two signing headers from whatever a server framework hands over, case-insensitively.
import { WebhookVerificationError } from "./errors.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from "./scheme.js";

/**
 * Where the headers come from: a WHATWG `Headers` (fetch, `Request`), a `Map`, Node's `req.headers` or
 * `req.headersDistinct`, or a plain object. Names are matched case-insensitively in all of them.
 */
export type WebhookHeaderSource =
  | { get(name: string): string | null | undefined }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** The two header values, verbatim, ready for `verifyWebhook(body, signature, timestamp, secrets)`. */
export interface WebhookHeaders {
  signature: string;
  timestamp: string;
}

/**
 * Reads `X-H-Webhook-Signature` and `X-H-Webhook-Timestamp`. A header that is absent or empty, or that was
 * sent more than once (an array with several values, two keys differing only in case, or a value joined
 * with commas as Node and fetch do for repeats), is a {@link WebhookVerificationError} rather than a guess.
 */
export function readWebhookHeaders(headers: WebhookHeaderSource): WebhookHeaders {
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    throw new WebhookVerificationError(
      "invalid_headers",
      `The headers must be a Headers object, Node's req.headers or a plain object of header values; got ${headers === null ? "null" : Array.isArray(headers) ? "an array" : typeof headers}.`,
    );
  }
  return {
    signature: readOne(headers, SIGNATURE_HEADER, "missing_signature"),
    timestamp: readOne(headers, TIMESTAMP_HEADER, "missing_timestamp"),
  };
}

function readOne(headers: object, name: string, missing: "missing_signature" | "missing_timestamp"): string {
  const values = valuesOf(headers, name.toLowerCase()).flatMap((value) =>
    Array.isArray(value) ? (value as unknown[]) : [value],
  );
  const present = values.filter((value) => value !== undefined && value !== null && value !== "");
  if (present.length === 0) {
    throw new WebhookVerificationError(
      missing,
      `The ${name} header is missing or empty. Every delivery carries it; is this request from the platform, and does a proxy strip it?`,
    );
  }
  if (present.length > 1) throw duplicate(name, `it appears ${present.length} times`);
  const value = present[0];
  if (typeof value !== "string") {
    throw new WebhookVerificationError(
      missing === "missing_signature" ? "malformed_signature" : "invalid_timestamp",
      `The ${name} header value must be a string, not a ${typeof value}.`,
    );
  }
  // Neither a signature nor a timestamp has a comma; Node and fetch join a repeated header with ", ".
  if (value.includes(",")) throw duplicate(name, "its value holds several comma-separated values");
  return value;
}

function valuesOf(headers: object, lowerName: string): unknown[] {
  if (headers instanceof Map) {
    return [...headers.entries()]
      .filter(([key]) => typeof key === "string" && key.toLowerCase() === lowerName)
      .map(([, value]) => value as unknown);
  }
  const get = (headers as { get?: unknown }).get;
  // Headers.get is case-insensitive itself and joins repeats with ", ", which readOne catches.
  if (typeof get === "function") return [get.call(headers, lowerName) as unknown];
  const record = headers as Record<string, unknown>;
  return Object.keys(record)
    .filter((key) => key.toLowerCase() === lowerName)
    .map((key) => record[key]);
}

function duplicate(name: string, how: string): WebhookVerificationError {
  return new WebhookVerificationError(
    "duplicate_header",
    `The ${name} header was sent more than once (${how}). The platform sends it once per delivery; refusing rather than picking one.`,
  );
}
