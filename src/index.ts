export type { ApiKeySource } from "./auth.js";
export { bearerAuth } from "./auth.js";
export type { FetchLike, RotateClient, RotateClientOptions } from "./client.js";
export { createRotateClient } from "./client.js";
export {
  HaiAgentsConfigurationError,
  HaiAgentsNetworkError,
  HaiAgentsTimeoutError,
  InvalidWebhookIdError,
  UnexpectedResponseError,
} from "./client-errors.js";
export { API_KEY_ENV, BASE_URL_ENV } from "./config.js";
export { HaiAgentsEnvironment } from "./environments.js";
export {
  HaiAgentsApiError,
  HaiAgentsError,
  isHaiAgentsError,
  NotFoundError,
  UnauthorizedError,
  UnprocessableEntityError,
} from "./errors.js";
export type { HaiAgentsClientOptions, RequestOptions, RotateWebhookSecretRequest } from "./facade.js";
export { HaiAgentsClient, WebhooksClient } from "./facade.js";
export type * from "./types.js";
export { isWebhookId } from "./webhook-id.js";
