// The first two checks both delivery headers need before their own format rules: present, and a string.
import { WebhookVerificationError, type WebhookVerificationErrorReason } from "./errors.js";

export function requireHeaderValue(
  value: unknown,
  header: string,
  reasons: { missing: WebhookVerificationErrorReason; wrongType: WebhookVerificationErrorReason },
): string {
  if (value === undefined || value === null || value === "") {
    throw new WebhookVerificationError(
      reasons.missing,
      `The ${header} value is ${value === "" ? "empty" : String(value)}: was the header read from the request? It must be sent with every delivery.`,
    );
  }
  if (typeof value !== "string") {
    throw new WebhookVerificationError(
      reasons.wrongType,
      `The ${header} value must be the header's string, not a ${typeof value}.`,
    );
  }
  return value;
}
