// The raw typed client: openapi-fetch over the generated `paths`, plus auth and an id guard.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths } from "../generated/api.js";
import { type ApiKeySource, bearerAuth } from "./auth.js";
import { resolveBaseUrl } from "./config.js";
import { assertWebhookId } from "./webhook-id.js";

export type FetchLike = (request: Request) => Promise<Response>;

export interface RotateClientOptions {
  /** Origin of the API. Default: `HAI_BASE_URL` if set, else the Europe region. */
  baseUrl?: string;
  /** Bearer token. When omitted no Authorization header is added (useful to exercise a 401). */
  apiKey?: ApiKeySource;
  /** Transport. Default: the global `fetch`, looked up at call time so later interceptors still apply. */
  fetch?: FetchLike;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /**
   * Refuse a `webhook_id` that is not a hyphenated UUID before sending anything (default `true`).
   * Turn off only to send invalid ids on purpose, e.g. to test the API's own 422.
   */
  validateWebhookId?: boolean;
}

/** openapi-fetch client typed by the spec. */
export type RotateClient = Client<paths>;

const webhookIdGuard: Middleware = {
  onRequest({ params }) {
    const path = params.path;
    if (path && "webhook_id" in path) assertWebhookId(path.webhook_id);
    return undefined;
  },
};

/**
 * Creates the raw typed client. Calls look like
 * `client.POST("/api/v2/webhooks/{webhook_id}/rotate", { params: { path: { webhook_id } } })` and return
 * `{ data, error, response }`: HTTP failures are values here, nothing is thrown for them.
 *
 * Requests are never retried. That matters for rotate, which is not idempotent: a retry after a lost
 * response would rotate a second time and the first new secret would be gone for good.
 */
export function createRotateClient(options: RotateClientOptions = {}): RotateClient {
  const transport = options.fetch;
  const client = createClient<paths>({
    baseUrl: resolveBaseUrl(options.baseUrl),
    headers: options.headers,
    fetch: (request) => (transport ?? globalThis.fetch)(request),
  });
  if (options.validateWebhookId !== false) client.use(webhookIdGuard);
  if (options.apiKey !== undefined) client.use(bearerAuth(options.apiKey));
  return client;
}
