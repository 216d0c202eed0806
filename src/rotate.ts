// The rotate call with the facade's semantics: throw typed errors, enforce a timeout, never retry.

import type { RotateClient } from "./client.js";
import { HaiAgentsNetworkError, HaiAgentsTimeoutError, UnexpectedResponseError } from "./client-errors.js";
import { apiErrorFor, isHaiAgentsError } from "./errors.js";
import type { WebhookWithSecret } from "./types.js";
import { assertWebhookId } from "./webhook-id.js";

const OPERATION = "Rotating the webhook secret";

export interface RequestOptions {
  /** Give up waiting after this many seconds (default: the client's `timeoutInSeconds`). */
  timeoutInSeconds?: number;
  /** Cancel the request; its abort reason is rethrown as is. */
  abortSignal?: AbortSignal;
  /** Extra headers for this request only. */
  headers?: Record<string, string>;
}

interface RotateContext {
  client: RotateClient;
  origin: string;
  timeoutInSeconds: number;
}

function readSecretResponse(text: unknown, statusCode: number): WebhookWithSecret {
  if (typeof text !== "string" || text === "") {
    throw new UnexpectedResponseError(OPERATION, statusCode, "its body is empty");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's own message may quote the body, and the body holds the secret: do not pass it on.
    throw new UnexpectedResponseError(OPERATION, statusCode, "its body is not JSON");
  }
  const record = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  if (typeof record.secret !== "string" || record.secret === "") {
    throw new UnexpectedResponseError(OPERATION, statusCode, "its body has no `secret`");
  }
  if (typeof record.id !== "string") {
    throw new UnexpectedResponseError(OPERATION, statusCode, "its body has no webhook `id`");
  }
  return parsed as WebhookWithSecret;
}

/**
 * Sends exactly one rotate request. Resolves with the webhook and its new secret; rejects with a
 * {@link HaiAgentsError} subclass otherwise. It is never retried, whatever happened: see `HaiAgentsTimeoutError`.
 */
export async function rotateOnce(
  context: RotateContext,
  webhookId: string,
  options: RequestOptions = {},
): Promise<WebhookWithSecret> {
  assertWebhookId(webhookId);
  const timeoutInSeconds = options.timeoutInSeconds ?? context.timeoutInSeconds;
  const caller = options.abortSignal;
  if (caller?.aborted) throw caller.reason;

  // A plain timer rather than AbortSignal.timeout(): the latter holds its signal weakly, so a request that
  // nothing else references (a stalled custom transport) could be garbage-collected and never time out.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`No response within ${timeoutInSeconds} s`, "TimeoutError"));
  }, timeoutInSeconds * 1000);
  const forwardAbort = () => controller.abort(caller?.reason);
  caller?.addEventListener("abort", forwardAbort, { once: true });

  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by the POST call below, assigned inside try
  let result;
  try {
    result = await context.client.POST("/api/v2/webhooks/{webhook_id}/rotate", {
      params: { path: { webhook_id: webhookId } },
      parseAs: "text",
      signal: controller.signal,
      ...(options.headers ? { headers: options.headers } : {}),
    });
  } catch (error) {
    if (isHaiAgentsError(error)) throw error;
    if (caller?.aborted) throw caller.reason;
    if (timedOut) throw new HaiAgentsTimeoutError(OPERATION, timeoutInSeconds, error);
    throw new HaiAgentsNetworkError(OPERATION, context.origin, error);
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener("abort", forwardAbort);
  }

  const { response } = result;
  if (!response.ok) {
    throw apiErrorFor({
      statusCode: response.status,
      body: result.error,
      operation: OPERATION,
      requestId: response.headers.get("x-request-id") ?? undefined,
      webhookId,
    });
  }
  return readSecretResponse(result.data, response.status);
}
