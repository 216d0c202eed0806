// The Web Crypto implementation and entry point: what `hai-webhook-rotate/webhooks` resolves to on Workers,
// browsers, edge functions and any runtime without the `node`, `deno` or `bun` condition, and always under
// `hai-webhook-rotate/webhooks/web`. Nothing in its module graph imports `node:*`; a test bundles it for the
// browser and for a neutral (Worker-like) platform to prove it. Same names as index.ts (node:crypto) but the
// synchronous ones. The checks and the outcome are verify.ts's; verifyWebhookAsync, below, only computes and
// compares the HMACs on `crypto.subtle`.
import { WebhookVerificationError } from "./errors.js";
import { handlersFor } from "./handler.js";
import {
  checkDelivery,
  conclude,
  type VerifiedWebhook,
  type VerifyWebhookOptions,
  type WebhookBody,
  type WebhookSecrets,
} from "./verify.js";

export type { WebhookVerificationErrorReason } from "./errors.js";
export {
  isWebhookVerificationError,
  WEBHOOK_VERIFICATION_ERROR_REASONS,
  WebhookVerificationError,
} from "./errors.js";
export type {
  KnownWebhookEvent,
  KnownWebhookEventType,
  ParsedWebhookEvent,
  PingEvent,
  SessionEvent,
  SessionEventType,
  WebhookEventEnvelope,
} from "./event.js";
export type {
  NodeWebhookHandler,
  NodeWebhookRequest,
  NodeWebhookResponse,
  SeenEventStore,
  WebhookHandler,
  WebhookHandlerOptions,
  WebhookRefusal,
  WebhookSecretsSource,
} from "./handler.js";
export { createSeenEventStore } from "./handler.js";
export type { WebhookHeaderSource, WebhookHeaders } from "./headers.js";
export { readWebhookHeaders, SIGNATURE_HEADER, SIGNATURE_PREFIX, TIMESTAMP_HEADER } from "./headers.js";
export type {
  ExpiringWebhookSecret,
  VerifiedWebhook,
  VerifyWebhookOptions,
  WebhookBody,
  WebhookSecret,
  WebhookSecrets,
} from "./verify.js";
export { DEFAULT_TOLERANCE_SECONDS } from "./verify.js";

// ---- The Web Crypto path
// ------------------------------------------------------------------------------------

const ENCODER = new TextEncoder();
// Imported keys, by secret (never by anything a sender controls), so each secret is imported once. A receiver
// trusts one to three secrets; the bound keeps a receiver that cycles through many from growing it for ever.
const KEY_CACHE_SIZE = 16;
const keyCache = new Map<string, CryptoKey | Promise<CryptoKey>>();

/**
 * The imported key, or a promise of it the first time (awaiting a cached key would cost a turn per secret).
 */
function hmacKey(subtle: SubtleCrypto, secret: string): CryptoKey | Promise<CryptoKey> {
  const cached = keyCache.get(secret);
  if (cached !== undefined) return cached;
  const pending = subtle
    .importKey("raw", ENCODER.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
    .then((key) => {
      if (keyCache.get(secret) === pending) keyCache.set(secret, key);
      return key;
    });
  if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(secret, pending);
  pending.catch(() => keyCache.delete(secret));
  return pending;
}

/**
 * Compares two digests in full, without an early exit: the time taken does not depend on where they differ.
 */
function sameDigest(actual: Uint8Array, expected: Uint8Array): boolean {
  let difference = actual.length ^ expected.length;
  for (let index = 0; index < expected.length; index += 1)
    difference |= (actual[index] as number) ^ (expected[index] as number);
  return difference === 0;
}

/** The 32 bytes of 64 lowercase hex digits (already checked by the signature pattern). */
function hexBytes(hex: string): Uint8Array {
  const nibble = (at: number) => {
    const code = hex.charCodeAt(at);
    return code <= 57 ? code - 48 : code - 87; // "0"-"9", then "a"-"f"
  };
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index += 1)
    bytes[index] = (nibble(index * 2) << 4) | nibble(index * 2 + 1);
  return bytes;
}

/**
 * {@link verifyWebhook} on Web Crypto (`crypto.subtle`), for runtimes without `node:crypto`: Cloudflare
 * Workers, Deno, Bun, Vercel and Netlify edge functions, service workers, browsers (on secure origins) and
 * Node. Same arguments, same result, same {@link WebhookVerificationError} reasons, as a promise; every
 * argument is read before the first `await`, so changing them afterwards changes nothing.
 *
 * @param body The raw request body, e.g. `await request.arrayBuffer()`. Never JSON that was parsed again.
 * @param signature The `X-H-Webhook-Signature` header value.
 * @param timestamp The `X-H-Webhook-Timestamp` header value, verbatim.
 * @param secrets The signing secret, or during a rotation `[oldSecret, newSecret]`; an entry may be `{
 * secret, notAfter }` to stop trusting it after a date.
 */
export async function verifyWebhookAsync(
  body: WebhookBody,
  signature: string | null | undefined,
  timestamp: string | null | undefined,
  secrets: WebhookSecrets,
  options?: VerifyWebhookOptions,
): Promise<VerifiedWebhook> {
  const delivery = checkDelivery(body, signature, timestamp, secrets, options);
  // One message to sign, `<timestamp>.` + body, built now: it is also the copy the event is parsed from.
  const prefix = ENCODER.encode(`${delivery.timestamp}.`);
  let message: Uint8Array<ArrayBuffer>;
  let signed: string | Uint8Array;
  if (typeof delivery.body === "string") {
    message = ENCODER.encode(`${delivery.timestamp}.${delivery.body}`);
    signed = delivery.body;
  } else {
    message = new Uint8Array(prefix.length + delivery.body.length);
    message.set(prefix);
    message.set(delivery.body, prefix.length);
    signed = message.subarray(prefix.length);
  }
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (subtle === undefined) {
    throw new WebhookVerificationError(
      "unsupported_runtime",
      "This runtime has no Web Crypto (globalThis.crypto.subtle); " +
        "browsers offer it on https:// and localhost pages only.",
    );
  }
  const expected = hexBytes(delivery.signature);
  const matches = async (index: number): Promise<boolean> => {
    try {
      const cached = hmacKey(subtle, delivery.keys[index] as string);
      const key = cached instanceof Promise ? await cached : cached;
      return sameDigest(new Uint8Array(await subtle.sign("HMAC", key, message)), expected);
    } catch (error) {
      throw new WebhookVerificationError(
        "unsupported_runtime",
        "Web Crypto failed to compute HMAC-SHA256 (see the cause); " +
          "this runtime's crypto.subtle is not usable.",
        { cause: error },
      );
    }
  };
  const first = async (indices: readonly number[]): Promise<number> => {
    for (const index of indices) if (await matches(index)) return index;
    return -1;
  };
  const index = await first(delivery.live);
  return conclude(delivery, signed, index, index === -1 ? await first(delivery.expired) : -1);
}

/** `createWebhookHandler` and `createNodeWebhookHandler`, verifying on Web Crypto. */
export const { createWebhookHandler, createNodeWebhookHandler } = handlersFor(verifyWebhookAsync);
