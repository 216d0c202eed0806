// An SDK-shaped facade, so code written for the official TypeScript SDK runs with only the import changed.

import type { ApiKeySource } from "./auth.js";
import { createRotateClient, type FetchLike, type RotateClient } from "./client.js";
import { HaiAgentsConfigurationError } from "./client-errors.js";
import { resolveApiKey, resolveBaseUrl } from "./config.js";
import { type RequestOptions, rotateOnce } from "./rotate.js";
import type { WebhookWithSecret } from "./types.js";

export type { RequestOptions };

export interface HaiAgentsClientOptions {
  /** API key. Default: the `HAI_API_KEY` environment variable. May be a function, called per request. */
  token?: ApiKeySource;
  /** A region, e.g. `HaiAgentsEnvironment.Us`. Default: `HAI_BASE_URL` if set, else Europe. */
  environment?: string;
  /** Any origin, such as the mock server's. Takes precedence over `environment`. */
  baseUrl?: string;
  /** Per-request timeout in seconds (default 60). */
  timeoutInSeconds?: number;
  /** Transport (default: the global `fetch`, looked up at call time). */
  fetch?: FetchLike;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

export interface RotateWebhookSecretRequest {
  /** The webhook's `id` (a UUID). */
  webhookId: string;
}

/** The `webhooks` resource of {@link HaiAgentsClient}. */
export class WebhooksClient {
  readonly #context: { client: RotateClient; origin: string; timeoutInSeconds: number };

  /** @internal Use `new HaiAgentsClient().webhooks`. */
  constructor(context: { client: RotateClient; origin: string; timeoutInSeconds: number }) {
    this.#context = context;
  }

  /**
   * Replaces the webhook's signing secret and returns the webhook with the new `secret`, the only time it
   * is ever returned: store it before doing anything else.
   *
   * Make your receiver accept the old and the new secret before calling this; deliveries are signed with
   * the new one from the moment it returns.
   *
   * Never retried automatically. Rotation is not idempotent: if a response is lost, a silent retry would
   * rotate again and discard the secret you never received. A timeout or network failure therefore
   * surfaces as `HaiAgentsTimeoutError` / `HaiAgentsNetworkError` for you to decide.
   *
   * @throws InvalidWebhookIdError before sending, when `webhookId` is not a UUID.
   * @throws UnauthorizedError (401), NotFoundError (404), UnprocessableEntityError (422), HaiAgentsApiError (other).
   */
  rotateWebhookSecret(
    request: RotateWebhookSecretRequest,
    requestOptions?: RequestOptions,
  ): Promise<WebhookWithSecret> {
    return rotateOnce(this.#context, request?.webhookId, requestOptions);
  }
}

/**
 * Drop-in for the official SDK's `HaiAgentsClient`, limited to what this toolkit covers:
 * `new HaiAgentsClient().webhooks.rotateWebhookSecret({ webhookId })`.
 */
export class HaiAgentsClient {
  readonly webhooks: WebhooksClient;

  constructor(options: HaiAgentsClientOptions = {}) {
    const token = typeof options.token === "function" ? options.token : resolveApiKey(options.token);
    const origin = resolveBaseUrl(options.baseUrl ?? options.environment);
    const timeoutInSeconds = options.timeoutInSeconds ?? 60;
    if (!Number.isFinite(timeoutInSeconds) || timeoutInSeconds <= 0) {
      throw new HaiAgentsConfigurationError(
        "timeoutInSeconds",
        "timeoutInSeconds must be a positive number of seconds.",
      );
    }
    const client = createRotateClient({
      baseUrl: origin,
      apiKey: token,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
    });
    this.webhooks = new WebhooksClient({ client, origin, timeoutInSeconds });
  }
}
