// Entry point `hai-webhook-rotate/webhooks/web`: verify deliveries on any JavaScript runtime with Web Crypto
// (browsers, Cloudflare Workers, Deno, Bun, edge functions, Node). Nothing in its module graph imports
// `node:*`; a test bundles it for the browser and for a neutral (Worker-like) platform to prove it.

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
export { readWebhookHeaders, SIGNATURE_HEADER, SIGNATURE_PREFIX, TIMESTAMP_HEADER } from "./headers.js";
export type {
  ExpiringWebhookSecret,
  VerifiedWebhook,
  VerifyWebhookOptions,
  WebhookBody,
  WebhookSecret,
  WebhookSecrets,
} from "./verify.js";
export { DEFAULT_TOLERANCE_SECONDS, verifyWebhookAsync } from "./verify.js";
