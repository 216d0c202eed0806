// A webhook receiver for Cloudflare Workers (and any runtime with the same `fetch(request, env)` shape). The one
// import resolves to the Web Crypto implementation under a Worker bundler's conditions (workerd, worker,
// browser). During a rotation it trusts the previous secret until WEBHOOK_SECRET_PREVIOUS_NOT_AFTER, then that
// secret retires itself. How to run it: docs/guides/receivers.md.
import { createWebhookHandler, type WebhookSecret } from "hai-webhook-rotate/webhooks";

export interface Env {
  /** The current signing secret (`whsec_...`), as returned by the rotate call. */
  WEBHOOK_SECRET?: string;
  /** During a rotation only: the previous secret... */
  WEBHOOK_SECRET_PREVIOUS?: string;
  /** ...and when to stop trusting it (ISO 8601): the rotation + the 300 s tolerance + the longest retry delay. */
  WEBHOOK_SECRET_PREVIOUS_NOT_AFTER?: string;
}

/** The trusted secrets, previous first. An unset current secret stays in the list, so the answer says so (500). */
function secretsFrom(env: Env): WebhookSecret[] {
  const secrets: WebhookSecret[] = [];
  if (env.WEBHOOK_SECRET_PREVIOUS) {
    const notAfter = env.WEBHOOK_SECRET_PREVIOUS_NOT_AFTER;
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
  fetch(request: Request, env: Env): Promise<Response> {
    // 405 for a GET, 413 over 1 MiB, 401 for a forged, stale or retired-secret delivery (the platform retries),
    // 400 for an authentic body that is not an event, 500 when this Worker's own secrets are missing.
    const handle = createWebhookHandler({
      secrets: secretsFrom(env),
      onEvent: ({ event, known, secretIndex }) => {
        if (known && event.type === "session.completed") {
          // Handle the event here (queue it, update a session...); `event.data` is typed from the spec.
        }
        // Which secret matched, by position (never the secret): once only the current one does, retire the other.
        console.log(`verified ${event.type} ${event.id} with secret ${secretIndex}`);
      },
    });
    return handle(request);
  },
};
