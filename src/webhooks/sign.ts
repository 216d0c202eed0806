// Signing, exactly as the platform does it: for receivers' own tests, for our mock server and for our tests.
import { type WebhookBody, rawBody } from "./body.js";
import { isWebhookVerificationError } from "./errors.js";
import type { KnownWebhookEvent, WebhookEventEnvelope } from "./event.js";
import {
  SIGNATURE_HEADER,
  SIGNATURE_PREFIX,
  TIMESTAMP_HEADER,
  TIMESTAMP_PATTERN,
  hasControlCharacter,
  isWellFormedText,
  signatureDigest,
} from "./scheme.js";

/**
 * The `X-H-Webhook-Signature` value for a body, a timestamp and one secret: `sha256=` + lowercase hex
 * HMAC-SHA256(secret as UTF-8, `${timestamp}.` + body). Arguments follow `verifyWebhook`'s order, minus the
 * signature. Throws a `TypeError` for a body that is not text or bytes, an empty secret or a timestamp that
 * is not Unix seconds.
 */
export function signWebhook(body: WebhookBody, timestamp: string | number, secret: string): string {
  return SIGNATURE_PREFIX + signatureDigest(checkedSecret(secret), checkedTimestamp(timestamp), checkedBody(body));
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
export function buildSignedDelivery(event: KnownWebhookEvent | WebhookEventEnvelope | string, secret: string, options?: SignedDeliveryOptions): SignedDelivery;
export function buildSignedDelivery<Body extends Uint8Array>(body: Body, secret: string, options?: SignedDeliveryOptions): SignedDelivery<Body>;
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
    headers: { "Content-Type": "application/json", [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp } as SignedDelivery["headers"],
    signature,
    timestamp,
  };
}

function checkedSecret(secret: unknown): string {
  if (typeof secret !== "string" || secret === "" || !isWellFormedText(secret) || hasControlCharacter(secret)) {
    throw new TypeError("signWebhook needs the secret as a non-empty, well-formed string without control characters, such as \"whsec_...\".");
  }
  return secret;
}

function checkedTimestamp(timestamp: unknown): string {
  const text = typeof timestamp === "number" && Number.isSafeInteger(timestamp) && timestamp >= 0 ? String(timestamp) : timestamp;
  if (typeof text !== "string" || !TIMESTAMP_PATTERN.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new TypeError("signWebhook needs the timestamp as Unix seconds: a non-negative integer or a string of decimal digits.");
  }
  return text;
}

function checkedBody(body: unknown): string | Uint8Array {
  try {
    return rawBody(body);
  } catch (error) {
    if (isWebhookVerificationError(error)) throw new TypeError(`signWebhook cannot sign this body. ${error.message}`);
    throw error;
  }
}
