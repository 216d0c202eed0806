// Entry point `hai-webhook-rotate/webhooks` on runtimes with node:crypto (Node, Deno, Bun: the `node`, `deno`
// and `bun` export conditions). Every other runtime resolves the same path to `./web.js` (Web Crypto), which
// exports the same names but the synchronous ones below. No HTTP client.

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
// node:crypto only: the synchronous verifier and the signer (for receivers' tests).
export type { SignedDelivery, SignedDeliveryOptions } from "./node.js";
export {
  buildSignedDelivery,
  createNodeWebhookHandler,
  createWebhookHandler,
  signWebhook,
  verifyWebhook,
  verifyWebhookAsync,
} from "./node.js";
export type {
  ExpiringWebhookSecret,
  VerifiedWebhook,
  VerifyWebhookOptions,
  WebhookBody,
  WebhookSecret,
  WebhookSecrets,
} from "./verify.js";
export { DEFAULT_TOLERANCE_SECONDS } from "./verify.js";
