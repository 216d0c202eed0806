import { InvalidWebhookIdError } from "./client-errors.js";

// Same pattern as the `webhook_id` parameter in the spec (a unit test compares them). Checking it locally
// turns a typo into an immediate, explained error instead of a 422 round trip, and guarantees that nothing
// but a UUID is ever interpolated into the request path.
export const WEBHOOK_ID_PATTERN =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** True when `value` is a webhook id in the form the API issues (a hyphenated UUID). */
export function isWebhookId(value: unknown): value is string {
  return typeof value === "string" && WEBHOOK_ID_PATTERN.test(value);
}

/** Throws {@link InvalidWebhookIdError} unless `value` is a hyphenated UUID. */
export function assertWebhookId(value: unknown): asserts value is string {
  if (!isWebhookId(value)) throw new InvalidWebhookIdError(value);
}
