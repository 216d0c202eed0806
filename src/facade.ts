// An SDK-shaped facade, so code written for the official TypeScript SDK runs with only the import changed.
// Each method is one `exchange` (src/client.ts) plus the shape its answer must have.
//
// The facade calls `exchange` with a request it builds itself rather than going through openapi-fetch:
// its three paths are fixed and their one parameter is a checked UUID, so openapi-fetch's serializers and
// middleware would add work to every call (the rotate overhead is measured in `npm run bench`) and nothing
// a caller could use. The generated types still type every wire shape it reads.
import type { components } from "../generated/api.js";
import {
  type ApiKeySource,
  apiError,
  apiKeyFromEnvironment,
  type Config,
  checkCall,
  configure,
  exchange,
  type FetchLike,
} from "./client.js";
import { unreadable } from "./errors.js";
import {
  toWebhook,
  toWebhookPingResult,
  toWebhookWithSecret,
  type Webhook,
  type WebhookPingResult,
  type WebhookWithSecret,
} from "./models.js";

type Wire = components["schemas"];

export interface HaiAgentsClientOptions {
  /** API key. Default: the `HAI_API_KEY` environment variable. May be a function, called per request. */
  token?: ApiKeySource;
  /** A region, e.g. `HaiAgentsEnvironment.Us`. Default: `HAI_BASE_URL` if set, else Europe. */
  environment?: string;
  /** Any origin, such as the mock server's. Takes precedence over `environment`. */
  baseUrl?: string;
  /** Per-request timeout in seconds (default 60, at most 2147483.647). */
  timeoutInSeconds?: number;
  /** Transport (default: the global `fetch`, looked up at call time). */
  fetch?: FetchLike;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Accept an `http:` base URL for a host that is not loopback (the key then travels in clear text). */
  allowInsecureHttp?: boolean;
}

export interface RequestOptions {
  /** Give up waiting after this many seconds (default: the client's `timeoutInSeconds`). */
  timeoutInSeconds?: number;
  /** Cancel the request; its abort reason is rethrown as is. */
  abortSignal?: AbortSignal;
  /** Extra headers for this request only. */
  headers?: Record<string, string>;
}

/** The argument of `rotateWebhookSecret`. */
export type RotateWebhookSecretRequest = WebhookRequest;

/** The `{ webhookId }` argument of every `webhooks` method, as in the official SDK. */
export interface WebhookRequest {
  /** The webhook's `id` (a UUID). */
  webhookId: string;
}

/** The `webhooks` resource of {@link HaiAgentsClient}: get, rotate and ping, in the order of a rotation. */
export class WebhooksClient {
  readonly #config: Config;

  /** @internal Use `new HaiAgentsClient().webhooks`. */
  constructor(config: Config) {
    this.#config = config;
  }

  /**
   * The webhook with the health of its recent deliveries (`lastSuccessAt`, `consecutiveFailures`...), never
   * its secret. Use it after a rotation: retire the old secret once a delivery succeeded after the rotation
   * and a full tolerance window has passed.
   */
  async getWebhook(request: WebhookRequest, requestOptions: RequestOptions = {}): Promise<Webhook> {
    const record = await this.#send("GET", "/api/v2/webhooks/{webhook_id}", request, requestOptions, "id");
    return toWebhook(record as unknown as Wire["Webhook"]);
  }

  /**
   * Replaces the webhook's signing secret and returns the webhook with the new `secret`, the only time it
   * is ever returned: store it before doing anything else.
   *
   * Make your receiver accept the old and the new secret before calling this; deliveries are signed with
   * the new one from the moment it returns.
   *
   * Sent once, never retried, never redirected. Rotation is not idempotent: if a response is lost, a
   * silent retry would rotate again and discard the secret you never received. Every failure is a
   * `HaiAgentsError` whose `outcome` says whether the secret was rotated (see docs/guides/client.md).
   */
  async rotateWebhookSecret(
    request: RotateWebhookSecretRequest,
    requestOptions: RequestOptions = {},
  ): Promise<WebhookWithSecret> {
    const record = await this.#send(
      "POST",
      "/api/v2/webhooks/{webhook_id}/rotate",
      request,
      requestOptions,
      "secret",
      "id",
    );
    return toWebhookWithSecret(record as unknown as Wire["WebhookWithSecret"]);
  }

  /**
   * Sends a signed `ping` delivery to the webhook's URL now and reports the status your receiver answered
   * (`responseStatus`). Never retried (each call is a delivery). A 502 (the platform could not reach the
   * receiver) is a `ReceiverUnreachableError`; a URL that is not public `https://` is a `BadRequestError`.
   */
  async pingWebhook(
    request: WebhookRequest,
    requestOptions: RequestOptions = {},
  ): Promise<WebhookPingResult> {
    const record = await this.#send(
      "POST",
      "/api/v2/webhooks/{webhook_id}/ping",
      request,
      requestOptions,
      "response_status",
    );
    return toWebhookPingResult(record as unknown as Wire["WebhookPingResult"]);
  }

  /**
   * One exchange: a refused status throws its typed error; a 2xx resolves with its JSON object once the
   * `required` fields are there (a string, or for `response_status` an integer).
   */
  async #send(
    method: "GET" | "POST",
    path: string,
    request: WebhookRequest,
    options: RequestOptions,
    ...required: string[]
  ): Promise<Record<string, unknown>> {
    const config = this.#config;
    const webhookId = request?.webhookId;
    const call = checkCall(config, method, path, {
      params: { path: { webhook_id: webhookId } },
      headers: options.headers,
      timeoutInSeconds: options.timeoutInSeconds,
      signal: options.abortSignal,
    });
    // The id is a checked UUID: it needs no encoding.
    const url = config.origin + path.replace("{webhook_id}", webhookId);
    const headers = { ...config.headers, ...options.headers };
    const answer = await exchange(config, call, url, { method, headers });
    if (answer.status > 299) throw apiError(config, call, answer, answer.body);
    const record = answer.body as Record<string, unknown> | null;
    for (const field of required) {
      const value = record?.[field];
      if (
        field === "response_status" ? !Number.isInteger(value) : typeof value !== "string" || value === ""
      ) {
        const what = { id: "webhook `id`", secret: "`secret`" }[field] ?? `integer \`${field}\``;
        throw unreadable(
          call.operation,
          answer.status,
          typeof record === "object" && record !== null
            ? `its body has no ${what}`
            : "its body is not an object",
        );
      }
    }
    return record as Record<string, unknown>;
  }
}

/**
 * Drop-in for the official SDK's `HaiAgentsClient`, limited to what this toolkit covers:
 * `new HaiAgentsClient().webhooks.getWebhook / rotateWebhookSecret / pingWebhook({ webhookId })`.
 */
export class HaiAgentsClient {
  readonly webhooks: WebhooksClient;

  constructor(options: HaiAgentsClientOptions = {}) {
    const { token } = options;
    const [apiKey, source] = token === undefined ? apiKeyFromEnvironment() : [token, "the `token` option"];
    const config = configure(
      {
        baseUrl: options.baseUrl ?? options.environment,
        apiKey,
        fetch: options.fetch,
        headers: options.headers,
        timeoutInSeconds: options.timeoutInSeconds,
        allowInsecureHttp: options.allowInsecureHttp,
      },
      source,
    );
    this.webhooks = new WebhooksClient(config);
  }
}
