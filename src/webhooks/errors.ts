// The one error class the verify helpers throw, with a machine-readable reason a receiver can branch on.

// A registered symbol survives two copies of the package and crossing realms, where `instanceof` does not.
const BRAND = Symbol.for("hai-webhook-rotate.WebhookVerificationError");

/**
 * Every reason a delivery can be refused, for exhaustive tables (e.g. reason → HTTP status).
 *
 * Caused by the delivery (answer the sender with a 4xx; the platform retries non-2xx answers):
 * - `missing_signature` / `missing_timestamp`: the header is absent or empty.
 * - `duplicate_header`: a signing header was sent more than once with different values.
 * - `invalid_timestamp`: `X-H-Webhook-Timestamp` is not decimal digits (Unix seconds).
 * - `timestamp_out_of_tolerance`: signed more than the tolerance (300 s) before or after this clock.
 * - `malformed_signature`: `X-H-Webhook-Signature` is not `sha256=` followed by 64 lowercase hex digits.
 * - `signature_mismatch`: no trusted secret produces this signature over these bytes.
 * - `secret_expired`: only a secret past its `notAfter` produces this signature; `secretIndex` says which.
 * - `invalid_payload`: the signature is valid but the body is not a JSON event envelope.
 *
 * Caused by the receiver's own code, configuration or runtime (fix the receiver; every delivery will fail
 * alike):
 * - `no_secret`: the secret list is empty, or an entry is empty, `undefined` or `null`.
 * - `invalid_secret`: a secret is not a string (or `{ secret, notAfter }`), is not well-formed Unicode, or
 *   has a control character.
 * - `invalid_body`: the body is not a string or bytes (for instance JSON that was already parsed).
 * - `invalid_options`: `toleranceSeconds`/`toleranceS` or `now` has an unusable value.
 * - `invalid_headers`: what was passed to `readWebhookHeaders` is not a header collection.
 * - `unsupported_runtime`: `verifyWebhookAsync` found no Web Crypto (`crypto.subtle`; browsers offer it on
 *   secure origins only).
 */
export const WEBHOOK_VERIFICATION_ERROR_REASONS = [
  "missing_signature",
  "missing_timestamp",
  "duplicate_header",
  "invalid_timestamp",
  "timestamp_out_of_tolerance",
  "malformed_signature",
  "signature_mismatch",
  "secret_expired",
  "invalid_payload",
  "no_secret",
  "invalid_secret",
  "invalid_body",
  "invalid_options",
  "invalid_headers",
  "unsupported_runtime",
] as const;

/** Why a delivery was not accepted: see {@link WEBHOOK_VERIFICATION_ERROR_REASONS}. */
export type WebhookVerificationErrorReason = (typeof WEBHOOK_VERIFICATION_ERROR_REASONS)[number];

/**
 * Thrown by `verifyWebhook`, `verifyWebhookAsync` and `readWebhookHeaders` when a delivery cannot be
 * accepted, whatever they were given. Branch on `reason`; the message explains the likely cause for a human.
 * Neither ever contains a secret or the expected signature.
 */
export class WebhookVerificationError extends Error {
  override name = "WebhookVerificationError";
  readonly reason: WebhookVerificationErrorReason;
  /**
   * Set with reason `invalid_payload` (the signature was valid; rotation monitoring can count it as a use of
   * that secret) and `secret_expired` (the expired secret that matched): the index of that secret.
   */
  readonly secretIndex: number | undefined;

  constructor(
    reason: WebhookVerificationErrorReason,
    message: string,
    options: { secretIndex?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.secretIndex = options.secretIndex;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True for a {@link WebhookVerificationError}, even one thrown by another copy of this package. Never throws.
 */
export function isWebhookVerificationError(value: unknown): value is WebhookVerificationError {
  try {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  } catch {
    return false; // a revoked Proxy, or one whose `get` trap throws
  }
}

/**
 * Runs `read`, which touches values the caller passed (a Proxy trap, a getter, a `now()` clock can run the
 * caller's code), and turns whatever that code throws into a {@link WebhookVerificationError} with `reason`.
 */
export function reading<T>(reason: WebhookVerificationErrorReason, what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw readingFailed(reason, what, error);
  }
}

/**
 * What `error`, thrown while reading `what`, becomes: our own errors unchanged, anything else typed, as its
 * cause.
 */
export function readingFailed(
  reason: WebhookVerificationErrorReason,
  what: string,
  error: unknown,
): WebhookVerificationError {
  if (isWebhookVerificationError(error)) return error;
  return new WebhookVerificationError(
    reason,
    `Reading ${what} threw an error (see its cause); pass plain values: strings, bytes and plain objects.`,
    { cause: error },
  );
}
