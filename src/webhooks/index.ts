// Entry point `hai-webhook-rotate/webhooks`: verify and sign deliveries. Only node:crypto, no HTTP client.

export type { WebhookBody } from "./body.js";
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
export type { WebhookHeaderSource, WebhookHeaders } from "./headers.js";
export { readWebhookHeaders } from "./headers.js";
export type { VerifyWebhookOptions } from "./options.js";
export { DEFAULT_TOLERANCE_SECONDS, SIGNATURE_HEADER, SIGNATURE_PREFIX, TIMESTAMP_HEADER } from "./scheme.js";
export type { WebhookSecrets } from "./secrets.js";
export type { SignedDelivery, SignedDeliveryOptions } from "./sign.js";
export { buildSignedDelivery, signWebhook } from "./sign.js";
export type { VerifiedWebhook } from "./verify.js";
export { verifyWebhook } from "./verify.js";
