// The two signing headers: their names and formats, reading them from whatever a server framework hands over,
// and parsing their values. Runs on any JavaScript runtime (no `node:*` import).
import { reading, WebhookVerificationError, type WebhookVerificationErrorReason } from "./errors.js";

/** Header carrying the signature, as documented. Lookups are case-insensitive. */
export const SIGNATURE_HEADER = "X-H-Webhook-Signature";
/** Header carrying the Unix time (seconds) at which the attempt was signed. Lookups are case-insensitive. */
export const TIMESTAMP_HEADER = "X-H-Webhook-Timestamp";
/** Prefix of every signature value. */
export const SIGNATURE_PREFIX = "sha256=";

/** A well-formed signature header: the prefix, then exactly 64 lowercase hex digits (32 bytes). */
const isSignatureFormat = (value: string): boolean =>
  // The length, then the characters: the same rule as /^sha256=[0-9a-f]{64}$/, at half its cost (measured).
  value.length === SIGNATURE_PREFIX.length + 64 && SIGNATURE_CHARACTERS.test(value);
const SIGNATURE_CHARACTERS = /^sha256=[0-9a-f]+$/;

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
 * Reads `X-H-Webhook-Signature` and `X-H-Webhook-Timestamp`. A header sent more than once (an array with
 * several values, two keys differing only in case, or a value joined with commas as Node and fetch do for
 * repeats) is one value when every copy is the same, and a {@link WebhookVerificationError}
 * `duplicate_header` when the copies differ; an absent or empty header is `missing_signature` /
 * `missing_timestamp`.
 */
export function readWebhookHeaders(headers: WebhookHeaderSource): WebhookHeaders {
  return reading("invalid_headers", "the headers", () => {
    if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
      throw new WebhookVerificationError(
        "invalid_headers",
        `The headers must be a Headers object, Node's req.headers or a plain object of header values; ` +
          `got ${headers === null ? "null" : Array.isArray(headers) ? "an array" : typeof headers}.`,
      );
    }
    return {
      signature: headerValue(valuesOf(headers, SIGNATURE_HEADER), SIGNATURE_HEADER),
      timestamp: headerValue(valuesOf(headers, TIMESTAMP_HEADER), TIMESTAMP_HEADER),
    };
  });
}

// The intrinsic iterator: a Map subclass or a look-alike cannot substitute its own entries. Throws for a
// non-Map.
const mapEntries = Map.prototype.entries as (this: unknown) => IterableIterator<[unknown, unknown]>;

/** Every copy of the header in the collection, arrays (Node's `headersDistinct`) flattened. */
function valuesOf(headers: object, name: string): unknown[] {
  const lowerName = name.toLowerCase();
  let entries: IterableIterator<[unknown, unknown]> | undefined;
  try {
    entries = mapEntries.call(headers);
  } catch {
    entries = undefined; // not a Map
  }
  const found: unknown[] = [];
  if (entries !== undefined) {
    for (const [key, value] of entries)
      if (typeof key === "string" && key.toLowerCase() === lowerName) found.push(value);
  } else if (typeof (headers as { get?: unknown }).get === "function") {
    // Headers.get is case-insensitive itself and joins repeats with ", ", which headerValue splits again.
    found.push((headers as { get(name: string): unknown }).get(lowerName));
  } else {
    const record = headers as Record<string, unknown>;
    for (const key of Object.keys(record)) if (key.toLowerCase() === lowerName) found.push(record[key]);
  }
  const copies: unknown[] = [];
  for (const value of found) {
    if (!Array.isArray(value)) copies.push(value);
    else if (value.length > MAX_COPIES)
      throw new WebhookVerificationError(
        "duplicate_header",
        `The ${name} header was sent ${value.length} times.`,
      );
    else for (let index = 0; index < value.length; index += 1) copies.push(value[index]);
  }
  return copies;
}

// More copies than any proxy chain adds; the bound keeps a hostile `length` from making the loop run for
// ever.
const MAX_COPIES = 16;

const REASONS: Record<
  string,
  { missing: WebhookVerificationErrorReason; malformed: WebhookVerificationErrorReason }
> = {
  [SIGNATURE_HEADER]: { missing: "missing_signature", malformed: "malformed_signature" },
  [TIMESTAMP_HEADER]: { missing: "missing_timestamp", malformed: "invalid_timestamp" },
};

/**
 * The one value of a header from all its copies: each copy must be a string; absent and empty copies are
 * ignored; `a, a` (a repeat joined by Node or fetch, with ", ") is `a`. Neither a signature nor a timestamp
 * contains ", ", so it always separates copies.
 */
function headerValue(copies: readonly unknown[], header: string): string {
  const only = copies.length === 1 ? copies[0] : undefined;
  if (typeof only === "string" && only !== "" && !only.includes(", ")) return only; // the usual case
  const reasons = REASONS[header] as (typeof REASONS)[string];
  let value: string | undefined;
  for (const copy of copies) {
    if (copy === undefined || copy === null || copy === "") continue;
    if (typeof copy !== "string") {
      throw new WebhookVerificationError(
        reasons.malformed,
        `The ${header} value must be the header's string, not a ${typeof copy}.`,
      );
    }
    for (const part of copy.split(", ")) {
      if (value !== undefined && part !== value) {
        throw new WebhookVerificationError(
          "duplicate_header",
          `The ${header} header was sent more than once with different values. ` +
            `The platform sends it once per ` +
            "delivery; refusing rather than picking one. Check for a proxy that adds its own copy.",
        );
      }
      value = part;
    }
  }
  if (value === undefined || value === "") {
    throw new WebhookVerificationError(
      reasons.missing,
      `The ${header} header is missing or empty. Every delivery carries it: was the header read from the ` +
        "request, is this request from the platform, and does a proxy strip it?",
    );
  }
  return value;
}

/**
 * The timestamp header as signed (`text`, verbatim: leading zeros stay) and as seconds since the Unix epoch.
 * It must be ASCII digits only.
 */
export function parseTimestamp(header: unknown): { text: string; seconds: number } {
  // Usually a plain string of digits, its own one value (no ", ", not empty): one pass checks and reads it.
  let timestamp = header as string;
  let seconds = typeof header === "string" ? decimalValue(header) : Number.NaN;
  if (Number.isNaN(seconds)) {
    timestamp = headerValue([header], TIMESTAMP_HEADER);
    seconds = decimalValue(timestamp);
    if (Number.isNaN(seconds)) {
      throw new WebhookVerificationError(
        "invalid_timestamp",
        `The ${TIMESTAMP_HEADER} value must be Unix seconds as decimal digits only; ` +
          `this ${timestamp.length}-character ` +
          `value has something else at position ${timestamp.search(/[^0-9]/)}. Pass the header verbatim, ` +
          `and check ` +
          "that it is not the signature header.",
      );
    }
  }
  // Beyond 2^53 the number is not exact; such a value is far outside any tolerance anyway.
  if (!Number.isSafeInteger(seconds)) {
    throw new WebhookVerificationError(
      "invalid_timestamp",
      `The ${TIMESTAMP_HEADER} value has ${timestamp.length} digits, too many for Unix seconds.`,
    );
  }
  return { text: timestamp, seconds };
}

/**
 * The number a timestamp header writes: NaN unless it is one or more ASCII decimal digits (no sign, space,
 * decimal point or exponent). Read digit by digit rather than with a pattern then `Number` (half the cost,
 * measured); exact up to 2^53, and past it never back below, so the safe-integer check above still holds.
 */
function decimalValue(text: string): number {
  if (text.length === 0) return Number.NaN;
  let value = 0;
  for (let index = 0; index < text.length; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The 64 lowercase hex digits of a header that must read exactly `sha256=` + 64 lowercase hex digits.
 * Comparing the hex text is as strict as comparing the 32 decoded bytes: the pattern admits one spelling per
 * digest.
 */
export function parseSignature(header: unknown): string {
  // A well-formed value is already its one value (no ", ", not empty): no copies to merge.
  if (typeof header === "string" && isSignatureFormat(header)) return header.slice(SIGNATURE_PREFIX.length);
  const signature = headerValue([header], SIGNATURE_HEADER);
  if (!isSignatureFormat(signature)) {
    throw new WebhookVerificationError(
      "malformed_signature",
      `The ${SIGNATURE_HEADER} value ${describeMalformed(signature)}`,
    );
  }
  return signature.slice(SIGNATURE_PREFIX.length);
}

function describeMalformed(signature: string): string {
  const expected = `must be "${SIGNATURE_PREFIX}" followed by 64 lowercase hex digits`;
  if (!signature.startsWith(SIGNATURE_PREFIX)) {
    if (/^v1,|^v1=|^t=/.test(signature))
      return `${expected}; this looks like another provider's scheme (Standard Webhooks or Stripe).`;
    if (/^[0-9a-fA-F]{64}$/.test(signature))
      return `${expected}; the "${SIGNATURE_PREFIX}" prefix is missing.`;
    return (
      `${expected}; it does not start with "${SIGNATURE_PREFIX}". ` +
      `Check that it is not the timestamp header.`
    );
  }
  const hex = signature.slice(SIGNATURE_PREFIX.length);
  if (/^[0-9a-fA-F]*$/.test(hex) && /[A-F]/.test(hex))
    return `${expected}; it has uppercase hex digits, which the platform never sends.`;
  return (
    `${expected}; ` +
    `after the prefix it has ${hex.length} characters${/^[0-9a-f]*$/.test(hex) ? "" : ", not all hex digits"}.`
  );
}
