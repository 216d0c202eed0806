// The signing scheme of H Company webhook deliveries, in one place:
// X-H-Webhook-Signature = "sha256=" + lowercase hex HMAC-SHA256(key = secret as UTF-8, message = "<timestamp>." + raw body).
import { createHmac } from "node:crypto";

/** Header carrying the signature, as documented. Lookups are case-insensitive. */
export const SIGNATURE_HEADER = "X-H-Webhook-Signature";
/** Header carrying the Unix time (seconds) at which the attempt was signed. Lookups are case-insensitive. */
export const TIMESTAMP_HEADER = "X-H-Webhook-Timestamp";
/** Prefix of every signature value. */
export const SIGNATURE_PREFIX = "sha256=";
/** How far, in seconds, a delivery's timestamp may be from the receiver's clock, in either direction. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A well-formed signature header: the prefix, then exactly 64 lowercase hex digits (32 bytes). */
export const SIGNATURE_PATTERN = /^sha256=[0-9a-f]{64}$/;
/** A well-formed timestamp header: ASCII decimal digits only (no sign, space, decimal point or exponent). */
export const TIMESTAMP_PATTERN = /^[0-9]+$/;

/**
 * The 32-byte HMAC of one delivery under one secret. Both inputs must already be validated. Typed as
 * Uint8Array (it is a Buffer) so the published declarations need no Node typings.
 */
export function signatureDigest(secret: string, timestamp: string, body: string | Uint8Array): string {
  // A string key and string data are hashed as their UTF-8 bytes. Lowercase hex, as the header carries it.
  return createHmac("sha256", secret).update(`${timestamp}.`, "utf8").update(body).digest("hex");
}

// `\p{Cs}` in a `u` regex matches only unpaired surrogates: a string containing one has no UTF-8 form, and
// encoding it silently turns it into U+FFFD, so two different strings would make the same key or body.
const LONE_SURROGATE = /\p{Cs}/u;

/** True when the string can be encoded to UTF-8 without loss. Native where available (Node 20 has it). */
export function isWellFormedText(text: string): boolean {
  const native = (text as { isWellFormed?: () => boolean }).isWellFormed;
  return native ? native.call(text) : !LONE_SURROGATE.test(text);
}

// HMAC pads a short key with zero bytes, so "k" and "k\0" sign identically; control characters (a newline
// read from a file, a NUL) never occur in issued secrets. Refusing them keeps one secret, one key.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** True when the secret contains a C0 control character or DEL. */
export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}
