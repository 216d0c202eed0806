// Errors raised without a usable HTTP response: bad configuration or input caught before sending, and
// transport failures after sending, when the outcome on the server is unknown.
import { redactCredentials, safeCause } from "./error-body.js";
import { HaiAgentsError } from "./errors.js";

/** A client option or environment variable is missing or unusable. Raised before any request is sent. */
export class HaiAgentsConfigurationError extends HaiAgentsError {
  override name = "HaiAgentsConfigurationError";
  /** Which setting is wrong. */
  readonly setting: "apiKey" | "baseUrl" | "timeoutInSeconds";
  constructor(setting: HaiAgentsConfigurationError["setting"], message: string) {
    super(message);
    this.setting = setting;
  }
}

// Echo the rejected id only when that is safe and useful: never a credential pasted into the wrong
// argument, never a wall of text.
function describeRejectedId(value: unknown): string {
  if (typeof value !== "string") return `a value of type ${value === null ? "null" : typeof value}`;
  if (value === "") return "an empty string";
  if (/whsec_|hk-/.test(value)) return `a string of ${value.length} characters that looks like a credential`;
  if (value.length > 64 || /[^\x20-\x7e]/.test(value)) return `a string of ${value.length} characters`;
  return JSON.stringify(value);
}

/** The webhook id is not a hyphenated UUID. Raised before any request is sent, so nothing was rotated. */
export class InvalidWebhookIdError extends HaiAgentsError {
  override name = "InvalidWebhookIdError";
  constructor(value: unknown) {
    super(
      `webhookId must be the webhook's UUID, like "f47ac10b-58cc-4372-a567-0e02b2c3d479", but got ` +
        `${describeRejectedId(value)}. No request was sent. Use the \`id\` returned when the webhook was created ` +
        "or listed.",
    );
  }
}

const OUTCOME_UNKNOWN =
  "The secret may or may not have been rotated, and the request was not retried: rotating is not " +
  "idempotent, so a second call would discard a new secret you never saw. Check whether deliveries still " +
  "verify with the secrets you hold before deciding to rotate again.";

/** No response arrived within the timeout. The rotation may have happened: see the message. */
export class HaiAgentsTimeoutError extends HaiAgentsError {
  override name = "HaiAgentsTimeoutError";
  readonly timeoutInSeconds: number;
  constructor(operation: string, timeoutInSeconds: number, cause?: unknown) {
    super(`${operation} got no response within ${timeoutInSeconds} s. ${OUTCOME_UNKNOWN}`, {
      cause: safeCause(cause),
    });
    this.timeoutInSeconds = timeoutInSeconds;
  }
}

/** The request could not be completed (DNS, refused or reset connection, TLS...). */
export class HaiAgentsNetworkError extends HaiAgentsError {
  override name = "HaiAgentsNetworkError";
  constructor(operation: string, origin: string, cause: unknown) {
    const reason = cause instanceof Error ? ` (${redactCredentials(cause.message)})` : "";
    super(`${operation} could not reach ${origin}${reason}. ${OUTCOME_UNKNOWN}`, { cause: safeCause(cause) });
  }
}

/**
 * A success status came back, but the body is not the documented webhook-with-secret (not JSON, or no
 * `secret`). The rotation did happen; the new secret could not be read. The body is deliberately not kept.
 */
export class UnexpectedResponseError extends HaiAgentsError {
  override name = "UnexpectedResponseError";
  constructor(operation: string, statusCode: number, problem: string) {
    super(
      `${operation} answered HTTP ${statusCode} but ${problem}. The server most likely rotated the secret, ` +
        "which this response no longer lets you read; the old secret is no longer used. Rotate again and " +
        "store the secret from that response.",
      { statusCode },
    );
  }
}
