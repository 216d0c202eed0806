// The X-H-Webhook-Signature header: strict parsing, and the constant-time comparison against each secret.
import { timingSafeEqual } from "node:crypto";
import { WebhookVerificationError } from "./errors.js";
import { requireHeaderValue } from "./header-value.js";
import { SIGNATURE_HEADER, SIGNATURE_PATTERN, SIGNATURE_PREFIX, signatureDigest } from "./scheme.js";

/**
 * The 64 lowercase hex digits of a header that must read exactly `sha256=` + 64 lowercase hex digits, as
 * ASCII bytes. Comparing the hex text is as strict as comparing the 32 decoded bytes (the pattern admits one
 * spelling per digest) and measured faster than decoding it.
 */
export function parseSignature(value: unknown): Uint8Array {
  const signature = requireHeaderValue(value, SIGNATURE_HEADER, {
    missing: "missing_signature",
    wrongType: "malformed_signature",
  });
  if (!SIGNATURE_PATTERN.test(signature)) {
    throw new WebhookVerificationError(
      "malformed_signature",
      `The ${SIGNATURE_HEADER} value ${describeMalformed(signature)}`,
    );
  }
  return Buffer.from(signature.slice(SIGNATURE_PREFIX.length), "latin1");
}

function describeMalformed(signature: string): string {
  const expected = `must be "${SIGNATURE_PREFIX}" followed by 64 lowercase hex digits`;
  if (!signature.startsWith(SIGNATURE_PREFIX)) {
    if (/^v1,|^v1=|^t=/.test(signature))
      return `${expected}; this looks like another provider's scheme (Standard Webhooks or Stripe).`;
    if (/^[0-9a-fA-F]{64}$/.test(signature))
      return `${expected}; the "${SIGNATURE_PREFIX}" prefix is missing.`;
    return `${expected}; it does not start with "${SIGNATURE_PREFIX}". Check that it is not the timestamp header.`;
  }
  const hex = signature.slice(SIGNATURE_PREFIX.length);
  if (/^[0-9a-fA-F]*$/.test(hex) && /[A-F]/.test(hex))
    return `${expected}; it has uppercase hex digits, which the platform never sends.`;
  if (hex.includes(","))
    return `${expected}; it holds several values, as when the header is sent more than once.`;
  return `${expected}; after the prefix it has ${hex.length} characters${/^[0-9a-f]*$/.test(hex) ? "" : ", not all hex digits"}.`;
}

/**
 * Index of the first secret whose HMAC equals `expected`, or -1. Each comparison is constant-time over two
 * 64-byte buffers of hex text. It stops at the first match: timing can reveal which trusted secret signed a valid
 * delivery, which the sender knows anyway, but never how close a forged signature came.
 */
export function matchSecret(
  expected: Uint8Array,
  timestamp: string,
  body: string | Uint8Array,
  secrets: readonly string[],
): number {
  for (let index = 0; index < secrets.length; index += 1) {
    const actual = Buffer.from(signatureDigest(secrets[index] as string, timestamp, body), "latin1");
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) return index;
  }
  return -1;
}
