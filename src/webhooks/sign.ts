// Signing, exactly as the platform does it: for receivers' own tests, for our mock server and for our tests.
import { rawBody, type WebhookBody } from "./body.js";
import { isWebhookVerificationError } from "./errors.js";
import type { KnownWebhookEvent, WebhookEventEnvelope } from "./event.js";
import { SIGNATURE_HEADER, SIGNATURE_PREFIX, signatureDigest, TIMESTAMP_HEADER } from "./scheme.js";
import { normaliseSecrets } from "./secrets.js";
import { parseTimestamp } from "./timestamp.js";

/**
 * The `X-H-Webhook-Signature` value for a body, a timestamp and one secret: `sha256=` + lowercase hex
 * HMAC-SHA256(secret as UTF-8, `${timestamp}.` + body). Arguments follow `verifyWebhook`'s order, minus the
 * signature. Throws a `TypeError` for anything `verifyWebhook` would refuse as input: a body that is not text or
 * bytes, an empty or malformed secret, a timestamp that is not Unix seconds.
 */
export function signWebhook(body: WebhookBody, timestamp: string | number, secret: string): string {
  return (
    SIGNATURE_PREFIX + signatureDigest(checkedSecret(secret), checkedTimestamp(timestamp), checkedBody(body))
  );
}

export interface SignedDeliveryOptions {
  /** Unix seconds to sign with; default: `now()` rounded down to the second. */
  timestamp?: string | number;
  /** Clock in milliseconds since the epoch, used when `timestamp` is not given. Default `Date.now`. */
  now?: () => number;
}

/**
 * A delivery as the platform would send it: the exact body and the headers to send with it. `Body` is `string`
 * for an event or a string, or the very byte array that was passed in (so `fetch` accepts it as is).
 */
export interface SignedDelivery<Body extends string | Uint8Array = string> {
  /** The bytes that were signed: send exactly these. */
  body: Body;
  headers: {
    "Content-Type": "application/json";
    "X-H-Webhook-Signature": string;
    "X-H-Webhook-Timestamp": string;
  };
  signature: string;
  timestamp: string;
}

/**
 * Builds a signed delivery. An event object is serialised as compact JSON, like the platform's; a string or
 * bytes are sent verbatim (use that to test unusual bodies).
 */
export function buildSignedDelivery(
  event: KnownWebhookEvent | WebhookEventEnvelope | string,
  secret: string,
  options?: SignedDeliveryOptions,
): SignedDelivery;
export function buildSignedDelivery<Body extends Uint8Array>(
  body: Body,
  secret: string,
  options?: SignedDeliveryOptions,
): SignedDelivery<Body>;
export function buildSignedDelivery(
  event: KnownWebhookEvent | WebhookEventEnvelope | string | Uint8Array,
  secret: string,
  options: SignedDeliveryOptions = {},
): SignedDelivery<string | Uint8Array> {
  const body = typeof event === "string" || event instanceof Uint8Array ? event : JSON.stringify(event);
  const timestamp = checkedTimestamp(options.timestamp ?? Math.floor((options.now ?? Date.now)() / 1000));
  const signature = signWebhook(body, timestamp, secret);
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      [SIGNATURE_HEADER]: signature,
      [TIMESTAMP_HEADER]: timestamp,
    } as SignedDelivery["headers"],
    signature,
    timestamp,
  };
}

// Signing applies the same rules as verifying, reported as a TypeError: bad arguments to signWebhook are a
// programming error in the caller's test, not a delivery to refuse.
function asTypeError<T>(problem: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (isWebhookVerificationError(error)) throw new TypeError(`signWebhook ${problem}. ${error.message}`);
    throw error;
  }
}

function checkedSecret(secret: unknown): string {
  if (Array.isArray(secret))
    throw new TypeError("signWebhook signs with one secret: pass a string, not a list.");
  return asTypeError("cannot sign with this secret", () => normaliseSecrets(secret)[0] as string);
}

function checkedTimestamp(timestamp: unknown): string {
  const text = typeof timestamp === "number" ? String(timestamp) : timestamp;
  asTypeError("cannot sign with this timestamp", () => parseTimestamp(text));
  return text as string;
}

function checkedBody(body: unknown): string | Uint8Array {
  return asTypeError("cannot sign this body", () => rawBody(body));
}
