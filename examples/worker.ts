// A webhook receiver for Cloudflare Workers (and any runtime with the same `fetch(request, env)` shape: Deno
// Deploy, Bun, edge functions), verifying on Web Crypto with `hai-webhook-rotate/webhooks/web`. During a
// rotation it trusts the previous secret until WEBHOOK_SECRET_PREVIOUS_NOT_AFTER, then that secret retires itself.
import {
  isWebhookVerificationError,
  readWebhookHeaders,
  verifyWebhookAsync,
  type WebhookSecret,
  type WebhookVerificationErrorReason,
} from "hai-webhook-rotate/webhooks/web";

export interface Env {
  /** The current signing secret (`whsec_...`), as returned by the rotate call. */
  WEBHOOK_SECRET?: string;
  /** During a rotation only: the previous secret... */
  WEBHOOK_SECRET_PREVIOUS?: string;
  /** ...and when to stop trusting it (ISO 8601): the rotation + the 300 s tolerance + the longest retry delay. */
  WEBHOOK_SECRET_PREVIOUS_NOT_AFTER?: string;
}

// Faults of this receiver's own setup: every delivery would fail alike, so answer 500 and fix the config.
const RECEIVER_FAULTS = new Set<WebhookVerificationErrorReason>([
  "no_secret",
  "invalid_secret",
  "invalid_body",
  "invalid_options",
  "invalid_headers",
  "unsupported_runtime",
]);

/** The trusted secrets, previous first. An unset current secret stays in the list, so verification says so. */
function secretsFrom(env: Env): WebhookSecret[] {
  const secrets: WebhookSecret[] = [];
  if (env.WEBHOOK_SECRET_PREVIOUS) {
    const notAfter = env.WEBHOOK_SECRET_PREVIOUS_NOT_AFTER;
    // An unparsable date becomes an Invalid Date, which verification refuses as invalid_secret (a 500).
    secrets.push(
      notAfter
        ? { secret: env.WEBHOOK_SECRET_PREVIOUS, notAfter: new Date(notAfter) }
        : env.WEBHOOK_SECRET_PREVIOUS,
    );
  }
  secrets.push(env.WEBHOOK_SECRET as string);
  return secrets;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "POST" } });
    try {
      const { signature, timestamp } = readWebhookHeaders(request.headers);
      // The raw bytes, exactly as sent: never `await request.json()`, whose re-serialisation breaks the signature.
      const body = await request.arrayBuffer();
      const { event, known, secretIndex } = await verifyWebhookAsync(
        body,
        signature,
        timestamp,
        secretsFrom(env),
      );
      if (known && event.type === "session.completed") {
        // Handle the event here (queue it, update a session...); `event.data` is typed from the spec.
      }
      // Which secret matched (by position, never the secret): once only the current one matches, the rotation is done.
      return Response.json({ received: event.id, type: event.type, secretIndex });
    } catch (error) {
      if (!isWebhookVerificationError(error)) throw error;
      // 4xx makes the platform retry later; the reason is safe to return and log (it never holds a secret).
      const status = RECEIVER_FAULTS.has(error.reason) ? 500 : error.reason === "invalid_payload" ? 400 : 401;
      return Response.json({ error: error.reason }, { status });
    }
  },
};
