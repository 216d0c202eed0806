// A webhook receiver that keeps verifying through a secret rotation (Node's http module, nothing else).
//
// It trusts WEBHOOK_SECRET_OLD and WEBHOOK_SECRET_NEW (set either or both), verifies each delivery's raw
// bytes against both, and logs which one matched, so you can see when the old secret stops being used and
// remove it. Secrets are never logged. Run it as described in examples/README.md.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { pathToFileURL } from "node:url";
import {
  DEFAULT_TOLERANCE_SECONDS,
  readWebhookHeaders,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookVerificationErrorReason,
} from "hai-webhook-rotate/webhooks";

export interface TrustedSecret {
  /** What the logs call it: "old" or "new". */
  label: string;
  value: string;
}

const MAX_BODY_BYTES = 1024 * 1024;

// Every reason gets a status: 4xx tells the platform this attempt was refused (it retries later);
// 500 marks a fault in this receiver's own setup.
const STATUS: Record<WebhookVerificationErrorReason, number> = {
  missing_signature: 400,
  missing_timestamp: 400,
  duplicate_header: 400,
  invalid_timestamp: 400,
  malformed_signature: 400,
  invalid_payload: 400,
  timestamp_out_of_tolerance: 401,
  signature_mismatch: 401,
  secret_expired: 401,
  no_secret: 500,
  invalid_secret: 500,
  invalid_body: 500,
  invalid_options: 500,
  invalid_headers: 500,
  unsupported_runtime: 500,
};

/** The trusted secrets from the environment, old first. Empty entries are left out. */
export function secretsFromEnv(env: NodeJS.ProcessEnv = process.env): TrustedSecret[] {
  const secrets = [
    { label: "old", value: env.WEBHOOK_SECRET_OLD ?? "" },
    { label: "new", value: env.WEBHOOK_SECRET_NEW ?? "" },
  ];
  return secrets.filter((secret) => secret.value !== "");
}

/** Reads the raw body, refusing more than `limit` bytes rather than buffering without bound. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function createReceiver(
  secrets: readonly TrustedSecret[],
  log: (line: string) => void = console.log,
): Server {
  const values = secrets.map((secret) => secret.value);
  let newSince: number | undefined;
  let oldRetirable = false;

  const handle = async (req: IncomingMessage): Promise<{ status: number; reason?: string }> => {
    if (req.method !== "POST") return { status: 405 };
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) return { status: 413 };
    try {
      const { signature, timestamp } = readWebhookHeaders(req.headers);
      const { event, known, secretIndex } = verifyWebhook(body, signature, timestamp, values);
      const label = secrets[secretIndex]?.label ?? String(secretIndex);
      log(
        `verified ${event.type} ${event.id} with the ${label} secret${known ? "" : " (event type not handled here)"}`,
      );
      // Once the new secret has matched for a full tolerance window, nothing signed with the old one can
      // still verify: say so once, so the operator knows step 4 (retire the old secret) is safe.
      if (label === "new" && secrets.some((secret) => secret.label === "old")) {
        newSince ??= Date.now();
        if (!oldRetirable && Date.now() - newSince >= DEFAULT_TOLERANCE_SECONDS * 1000) {
          oldRetirable = true;
          log("deliveries have verified with the new secret for 300 s: remove WEBHOOK_SECRET_OLD");
        }
      }
      return { status: 204 };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      log(`rejected delivery (${error.reason}): ${error.message}`);
      return { status: STATUS[error.reason], reason: error.reason };
    }
  };

  return createServer((req, res) => {
    handle(req).then(
      ({ status, reason }) => {
        res
          .writeHead(status, reason ? { "Content-Type": "application/json" } : {})
          .end(reason ? JSON.stringify({ error: reason }) : undefined);
      },
      (error: unknown) => {
        log(`receiver error: ${error instanceof Error ? error.message : String(error)}`);
        res.writeHead(500).end();
      },
    );
  });
}

// Started directly (not imported): listen, and stop cleanly on Ctrl-C or SIGTERM.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const secrets = secretsFromEnv();
  if (secrets.length === 0) {
    console.error(
      "Set WEBHOOK_SECRET_NEW (and, during a rotation, WEBHOOK_SECRET_OLD) to the webhook's signing secret(s).",
    );
    process.exit(1);
  }
  const host = process.env.HOST ?? "127.0.0.1";
  const server = createReceiver(secrets);
  server.listen(Number(process.env.PORT ?? 8787), host, () => {
    const { port } = server.address() as { port: number };
    console.log(
      `listening on http://${host}:${port} (trusting: ${secrets.map((secret) => secret.label).join(", ")})`,
    );
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => server.close(() => process.exit(0)));
}
