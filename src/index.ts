// The client's public surface: the SDK-shaped facade, the raw typed client, their errors, and friendly
// names for the generated schema types so callers never have to index `components` themselves.
import type { components, operations, paths } from "../generated/api.js";

export type { ApiKeySource, FetchLike, RotateClient, RotateClientOptions } from "./client.js";
export {
  API_KEY_ENV,
  BASE_URL_ENV,
  createRotateClient,
  HaiAgentsEnvironment,
  MAX_RESPONSE_BYTES,
} from "./client.js";
export type { CallOutcome } from "./errors.js";
export {
  BadRequestError,
  HaiAgentsApiError,
  HaiAgentsConfigurationError,
  HaiAgentsError,
  HaiAgentsNetworkError,
  HaiAgentsRedirectError,
  HaiAgentsTimeoutError,
  InvalidWebhookIdError,
  isHaiAgentsError,
  NotFoundError,
  ReceiverUnreachableError,
  SecretNotReceivedError,
  UnauthorizedError,
  UnexpectedResponseError,
  UnprocessableEntityError,
} from "./errors.js";
export type {
  HaiAgentsClientOptions,
  RequestOptions,
  RotateWebhookSecretRequest,
  WebhookRequest,
} from "./facade.js";
export { HaiAgentsClient, WebhooksClient } from "./facade.js";
// What the facade returns: the official SDK's shapes (camelCase, Date for date-times, null kept).
export type { Webhook, WebhookPingResult, WebhookWithSecret } from "./models.js";
export { isWebhookId, WEBHOOK_ID_PATTERN } from "./uuid.js";

export type { components, operations, paths };

// The wire shapes the raw client returns (snake_case, date-times as strings).
/** A webhook as the API sends it (never includes the secret). */
export type WireWebhook = components["schemas"]["Webhook"];
/** The webhook plus its new signing secret, as the API sends it from rotate (and create). */
export type WireWebhookWithSecret = components["schemas"]["WebhookWithSecret"];
/** A ping's result as the API sends it. */
export type WireWebhookPingResult = components["schemas"]["WebhookPingResult"];
/** Body of a 401 from the API gateway. */
export type GatewayError = components["schemas"]["GatewayError"];
/** Body of a 404 (and most other errors raised by the API itself). */
export type DetailError = components["schemas"]["DetailError"];
/** Body of a 422. */
export type HTTPValidationError = components["schemas"]["HTTPValidationError"];
/** One entry of a 422 body. */
export type ValidationIssue = components["schemas"]["ValidationError"];
