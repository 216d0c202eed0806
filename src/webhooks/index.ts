// Entry point `hai-webhook-rotate/webhooks` (Node): everything of the portable entry (`./web.js`, Web
// Crypto), plus the synchronous verifier and the signer on node:crypto. No HTTP client.

export type { SignedDelivery, SignedDeliveryOptions } from "./node.js";
export { buildSignedDelivery, signWebhook, verifyWebhook } from "./node.js";
export * from "./web.js";
