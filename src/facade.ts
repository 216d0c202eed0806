// An SDK-shaped facade, so code written for the official TypeScript SDK runs with only the import changed.
// Each method is one call through the raw client's rules (src/client.ts) plus typed errors for statuses.
import type { components } from "../generated/api.js";
import { type ApiKeySource, type Core, createCore, type FetchLike, resolveApiKey } from "./client.js";
import { SecretNotReceivedError, UnexpectedResponseError } from "./errors.js";
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
  readonly #core: Core;

  /** @internal Use `new HaiAgentsClient().webhooks`. */
  constructor(core: Core) {
    this.#core = core;
  }

  /**
   * The webhook with the health of its recent deliveries (`lastSuccessAt`, `consecutiveFailures`...), never
   * its secret. Use it after a rotation: retire the old secret once a delivery succeeded after the rotation
   * and a full tolerance window has passed.
   */
  async getWebhook(request: WebhookRequest, requestOptions: RequestOptions = {}): Promise<Webhook> {
    const { response, text } = await this.#call(
      "GET",
      "/api/v2/webhooks/{webhook_id}",
      request,
      requestOptions,
    );
    const record = parseObject(text, response.status, "Getting the webhook");
    if (typeof record.id !== "string") {
      throw unreadable("Getting the webhook", response.status, "its body has no webhook `id`");
    }
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
   * `HaiAgentsError` whose `outcome` says whether the secret was rotated (see the README's table).
   */
  async rotateWebhookSecret(
    request: RotateWebhookSecretRequest,
    requestOptions: RequestOptions = {},
  ): Promise<WebhookWithSecret> {
    const { response, text } = await this.#call(
      "POST",
      "/api/v2/webhooks/{webhook_id}/rotate",
      request,
      requestOptions,
    );
    return readSecret(text, response.status);
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
    const { response, text } = await this.#call(
      "POST",
      "/api/v2/webhooks/{webhook_id}/ping",
      request,
      requestOptions,
    );
    const record = parseObject(text, response.status, "Pinging the webhook");
    if (!Number.isInteger(record.response_status)) {
      throw unreadable("Pinging the webhook", response.status, "its body has no integer `response_status`");
    }
    return toWebhookPingResult(record as unknown as Wire["WebhookPingResult"]);
  }

  #call(method: "GET" | "POST", path: string, request: WebhookRequest, options: RequestOptions) {
    return this.#core.send(
      method,
      path,
      { params: { path: { webhook_id: request?.webhookId } }, headers: options.headers },
      options,
    );
  }
}

const ROTATE = "Rotating the webhook secret";

const unreadable = (operation: string, status: number, problem: string) =>
  new UnexpectedResponseError(
    `${operation} answered HTTP ${status} but ${problem}. Nothing was changed by it; try again.`,
    status,
  );

function parseObject(text: string, status: number, operation: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw unreadable(operation, status, "its body is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null)
    throw unreadable(operation, status, "its body is not an object");
  return parsed as Record<string, unknown>;
}

function readSecret(text: string, statusCode: number): WebhookWithSecret {
  if (text === "") throw new SecretNotReceivedError(ROTATE, statusCode, "its body is empty");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's own message may quote the body, and the body holds the secret: do not pass it on.
    throw new SecretNotReceivedError(ROTATE, statusCode, "its body is not JSON");
  }
  const record = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  if (typeof record.secret !== "string" || record.secret === "") {
    throw new SecretNotReceivedError(ROTATE, statusCode, "its body has no `secret`");
  }
  if (typeof record.id !== "string") {
    throw new SecretNotReceivedError(ROTATE, statusCode, "its body has no webhook `id`");
  }
  return toWebhookWithSecret(parsed as Wire["WebhookWithSecret"]);
}

/**
 * Drop-in for the official SDK's `HaiAgentsClient`, limited to what this toolkit covers:
 * `new HaiAgentsClient().webhooks.getWebhook / rotateWebhookSecret / pingWebhook({ webhookId })`.
 */
export class HaiAgentsClient {
  readonly webhooks: WebhooksClient;

  constructor(options: HaiAgentsClientOptions = {}) {
    const { core } = createCore({
      baseUrl: options.baseUrl ?? options.environment,
      apiKey: typeof options.token === "function" ? options.token : resolveApiKey(options.token),
      fetch: options.fetch,
      headers: options.headers,
      timeoutInSeconds: options.timeoutInSeconds,
      allowInsecureHttp: options.allowInsecureHttp,
    });
    this.webhooks = new WebhooksClient(core);
  }
}
