// The node:crypto implementation, for runtimes that have it (Node, Deno, Bun): the synchronous verifier, the
// same verifier as a promise (what `hai-webhook-rotate/webhooks` resolves to there), and the signer. The checks
// and the outcome are verify.ts's; this file only computes HMACs, the way the platform does:
// X-H-Webhook-Signature = "sha256=" + lowercase hex HMAC-SHA256(key = secret as UTF-8, message =
// "<timestamp>." + raw body).
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import type { components } from "../../generated/api.js";
import { isWebhookVerificationError, WebhookVerificationError } from "./errors.js";
import type { KnownWebhookEvent } from "./event.js";
import { handlersFor } from "./handler.js";
import { parseTimestamp, SIGNATURE_HEADER, SIGNATURE_PREFIX, TIMESTAMP_HEADER } from "./headers.js";
import {
  type CheckedDelivery,
  checkDelivery,
  checkSecretText,
  conclude,
  readBody,
  type VerifiedWebhook,
  type VerifyWebhookOptions,
  type WebhookBody,
  type WebhookSecrets,
} from "./verify.js";

/**
 * Lowercase hex HMAC of one delivery under one secret, inputs already checked: what follows `sha256=`. Hex rather
 * than bytes: Deno's node:crypto returns a hex digest about three times faster than a Buffer (measured).
 */
function hmacHex(secret: string, timestamp: string, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/**
 * Verifies a webhook delivery against one or several trusted secrets and returns its parsed event.
 *
 * Same arguments, in the same order, as the official SDK's `verifyWebhook`, so `verifyWebhook(body, sig, ts,
 * ["whsec_old", "whsec_new"])` works. It differs on purpose:
 * - It returns `{ event, known, secretIndex, timestamp }` rather than the bare event, so a receiver can see
 *   which secret matched and retire the old one when it stops matching. Use `.event` for the official shape.
 * - It is stricter about its inputs: the timestamp must be ASCII digits (`"123abc"` is refused, not read as
 *   123), the signature must be `sha256=` + 64 lowercase hex digits, secrets must be non-empty strings, and
 *   every failure, even on hostile input, is a {@link WebhookVerificationError} with a `reason`.
 * - It is never stricter about an authentic delivery: once the signature matches, any JSON envelope with a
 *   string `type`, a string `id` and an object `data` verifies (`known` says whether it matches the spec).
 * - It also takes `toleranceSeconds` (alias `toleranceS`), an injectable `now` clock in milliseconds, and
 *   secrets that expire (`{ secret, notAfter }`).
 *
 * @param body The raw request body as received: a string, Buffer, Uint8Array or ArrayBuffer. Never JSON that
 * was parsed and re-serialised; the signature covers the exact bytes.
 * @param signature The `X-H-Webhook-Signature` header value.
 * @param timestamp The `X-H-Webhook-Timestamp` header value, verbatim.
 * @param secrets The signing secret, or during a rotation `[oldSecret, newSecret]`; an entry may be `{
 * secret, notAfter }` to stop trusting it after a date.
 * @throws {WebhookVerificationError} when the delivery must not be accepted; branch on `reason`.
 */
export function verifyWebhook(
  body: WebhookBody,
  signature: string | null | undefined,
  timestamp: string | null | undefined,
  secrets: WebhookSecrets,
  options?: VerifyWebhookOptions,
): VerifiedWebhook {
  const delivery = checkDelivery(body, signature, timestamp, secrets, options);
  const index = firstMatch(delivery, delivery.live);
  return conclude(delivery, delivery.body, index, index === -1 ? firstMatch(delivery, delivery.expired) : -1);
}

/**
 * {@link verifyWebhook} as a promise, on node:crypto: the same checks, result and reasons as the Web Crypto
 * `verifyWebhookAsync`, at the cost of the synchronous one. Every argument is read before it returns.
 */
export async function verifyWebhookAsync(
  body: WebhookBody,
  signature: string | null | undefined,
  timestamp: string | null | undefined,
  secrets: WebhookSecrets,
  options?: VerifyWebhookOptions,
): Promise<VerifiedWebhook> {
  return verifyWebhook(body, signature, timestamp, secrets, options);
}

/** `createWebhookHandler` and `createNodeWebhookHandler`, verifying on node:crypto. */
export const { createWebhookHandler, createNodeWebhookHandler } = handlersFor(verifyWebhookAsync);

/**
 * The first of `indices` whose secret signs this delivery, or -1. Each comparison is constant-time over the 64
 * hex digits (as strict as the 32 bytes: the signature pattern admits one spelling per digest). It stops at the
 * first match: timing can reveal which trusted secret signed a valid delivery, which the sender knows anyway,
 * but never how close a forged signature came.
 */
function firstMatch(delivery: CheckedDelivery, indices: readonly number[]): number {
  const expected = Buffer.from(delivery.signature, "latin1");
  for (const index of indices) {
    const actual = Buffer.from(
      hmacHex(delivery.keys[index] as string, delivery.timestamp, delivery.body),
      "latin1",
    );
    if (timingSafeEqual(actual, expected)) return index;
  }
  return -1;
}

/**
 * The `X-H-Webhook-Signature` value for a body, a timestamp and one secret. Arguments follow
 * `verifyWebhook`'s order, minus the signature. For receivers' own tests: bad arguments are a bug in the
 * test, so anything `verifyWebhook` would refuse as input (a body that is not text or bytes, an empty or
 * malformed secret, a timestamp that is not Unix seconds) throws a `TypeError`, and nothing else does.
 */
export function signWebhook(body: WebhookBody, timestamp: string | number, secret: string): string {
  return asTypeError("signWebhook", () => {
    const checked = checkedSecret(secret);
    return SIGNATURE_PREFIX + hmacHex(checked, checkedTimestamp(timestamp), readBody(body));
  });
}

// What the platform sends: the spec's envelope, every field present.
type SpecEnvelope = components["schemas"]["WebhookEventEnvelope"];

export interface SignedDeliveryOptions {
  /** Unix seconds to sign with; default: `now()` rounded down to the second. */
  timestamp?: string | number;
  /** Clock in milliseconds since the epoch, used when `timestamp` is not given. Default `Date.now`. */
  now?: () => number;
}

/**
 * A delivery as the platform would send it: the exact body and the headers to send with it. `Body` is
 * `string` for an event or a string, or the very byte array that was passed in (so `fetch` accepts it as is).
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
 * Builds a signed delivery, for receivers' own tests. An event object is serialised as compact JSON, like the
 * platform's; a string or bytes are sent verbatim (use that to test unusual bodies). Throws a `TypeError` for
 * arguments `signWebhook` would refuse, or an event that cannot be serialised.
 */
export function buildSignedDelivery(
  event: KnownWebhookEvent | SpecEnvelope | string,
  secret: string,
  options?: SignedDeliveryOptions,
): SignedDelivery;
export function buildSignedDelivery<Body extends Uint8Array>(
  body: Body,
  secret: string,
  options?: SignedDeliveryOptions,
): SignedDelivery<Body>;
export function buildSignedDelivery(
  event: KnownWebhookEvent | SpecEnvelope | string | Uint8Array,
  secret: string,
  options: SignedDeliveryOptions = {},
): SignedDelivery<string | Uint8Array> {
  return asTypeError("buildSignedDelivery", () => {
    const key = checkedSecret(secret);
    const own = <K extends keyof SignedDeliveryOptions>(name: K) =>
      Object.hasOwn(options, name) ? options[name] : undefined;
    const timestamp = checkedTimestamp(own("timestamp") ?? Math.floor((own("now") ?? Date.now)() / 1000));
    const body = typeof event === "string" || ArrayBuffer.isView(event) ? event : JSON.stringify(event);
    const signature = SIGNATURE_PREFIX + hmacHex(key, timestamp, readBody(body));
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
  });
}

// Signing applies the verifier's own rules (one copy of each), reported as a TypeError: a bad argument here
// is a programming error in the caller's test, not a delivery to refuse. The caller's own code (a getter,
// toJSON, a clock) may throw anything; that becomes a TypeError too, with the original as its cause.
function asTypeError<T>(name: string, sign: () => T): T {
  try {
    return sign();
  } catch (error) {
    if (isWebhookVerificationError(error)) throw new TypeError(`${name}: ${error.message}`, { cause: error });
    throw new TypeError(`${name}: reading its arguments threw an error (see its cause).`, { cause: error });
  }
}

function checkedSecret(secret: unknown): string {
  if (typeof secret === "object" && secret !== null)
    throw new WebhookVerificationError(
      "invalid_secret",
      "It signs with one secret: pass the secret string, not a list or an object.",
    );
  return checkSecretText(secret, "The secret");
}

function checkedTimestamp(timestamp: unknown): string {
  return parseTimestamp(typeof timestamp === "number" ? String(timestamp) : timestamp).text;
}
