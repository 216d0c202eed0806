// The X-H-Webhook-Timestamp header: strict parsing, and the replay window around the receiver's clock.
import { WebhookVerificationError } from "./errors.js";
import { requireHeaderValue } from "./header-value.js";
import { TIMESTAMP_HEADER, TIMESTAMP_PATTERN } from "./scheme.js";

/** Seconds since the Unix epoch from the header, which must be ASCII digits only (leading zeros allowed). */
export function parseTimestamp(value: unknown): number {
  const timestamp = requireHeaderValue(value, TIMESTAMP_HEADER, {
    missing: "missing_timestamp",
    wrongType: "invalid_timestamp",
  });
  if (!TIMESTAMP_PATTERN.test(timestamp)) {
    throw new WebhookVerificationError(
      "invalid_timestamp",
      `The ${TIMESTAMP_HEADER} value must be Unix seconds as decimal digits only; this ${timestamp.length}-character value has ` +
        `something else at position ${timestamp.search(/[^0-9]/)}. Pass the header verbatim, and check that it is not the signature header.`,
    );
  }
  const seconds = Number(timestamp);
  // Beyond 2^53 the number is not exact; such a value is far outside any tolerance anyway.
  if (!Number.isSafeInteger(seconds)) {
    throw new WebhookVerificationError(
      "invalid_timestamp",
      `The ${TIMESTAMP_HEADER} value has ${timestamp.length} digits, too many for Unix seconds.`,
    );
  }
  return seconds;
}

/**
 * Rejects a delivery signed more than `toleranceSeconds` before or after `nowMs`. Compares whole seconds, as the
 * header has no finer resolution: exactly the tolerance away is accepted, one second more is not.
 */
export function checkTolerance(seconds: number, nowMs: number, toleranceSeconds: number): void {
  const nowSeconds = Math.floor(nowMs / 1000);
  const skew = nowSeconds - seconds;
  if (Math.abs(skew) <= toleranceSeconds) return;
  const direction =
    skew > 0
      ? `was signed ${skew} s ago, more than the ${toleranceSeconds} s tolerance: a replay, a delivery held in a queue, or a receiver clock running fast`
      : `is dated ${-skew} s in the future, more than the ${toleranceSeconds} s tolerance: the receiver's clock is probably running slow`;
  throw new WebhookVerificationError(
    "timestamp_out_of_tolerance",
    `The delivery ${direction} (timestamp ${seconds}, receiver clock ${nowSeconds}). Check the receiver's clock (NTP); ` +
      "a custom `now` option must return milliseconds since the epoch.",
  );
}
