export { createRotateClient } from "./client.js";
export type { FetchLike, RotateClient, RotateClientOptions } from "./client.js";
export { bearerAuth } from "./auth.js";
export type { ApiKeySource } from "./auth.js";
export { HaiAgentsClient, WebhooksClient } from "./facade.js";
export type { HaiAgentsClientOptions, RequestOptions, RotateWebhookSecretRequest } from "./facade.js";
export { HaiAgentsEnvironment } from "./environments.js";
export {
  HaiAgentsError,
  HaiAgentsApiError,
  NotFoundError,
  UnauthorizedError,
  UnprocessableEntityError,
  isHaiAgentsError,
} from "./errors.js";
export {
  HaiAgentsConfigurationError,
  HaiAgentsNetworkError,
  HaiAgentsTimeoutError,
  InvalidWebhookIdError,
  UnexpectedResponseError,
} from "./client-errors.js";
export { isWebhookId } from "./webhook-id.js";
export { API_KEY_ENV, BASE_URL_ENV } from "./config.js";
export type * from "./types.js";
