// A webhook receiver that keeps verifying through a secret rotation (Node's http module, nothing else).
//
// It trusts every secret in a secrets file (one per line, oldest first: the file `hai-webhook-rotate
// rotate --secrets-file` appends the new secret to), verifies each delivery's raw bytes against all of
// them, and logs which one matched by its position, never the secret itself. The file is re-read as soon
// as it changes: a folder watch notices it, and a stat before each delivery makes sure even a change the
// watch missed counts from the next request on. Run it as described in examples/README.md.
import { type FSWatcher, watch } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { basename, dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { readSecretsFile } from "hai-webhook-rotate/secrets-file";
import {
  DEFAULT_TOLERANCE_SECONDS,
  readWebhookHeaders,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookVerificationErrorReason,
} from "hai-webhook-rotate/webhooks";

const MAX_BODY_BYTES = 1024 * 1024;
const secretsCount = (count: number) => `${count} secret${count === 1 ? "" : "s"}`;

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

/** The secrets file, re-read whenever it changes. */
export interface TrustedSecrets {
  /** The secrets to verify with now, oldest first. */
  current(): Promise<readonly string[]>;
  close(): void;
}

/**
 * Reads `path` now (failing if it cannot), then again whenever it changes. If a later read fails (the file
 * was deleted, or made unreadable), the last secrets read stay trusted and the problem is logged.
 */
export async function watchSecretsFile(path: string, log: (line: string) => void): Promise<TrustedSecrets> {
  // Identity of what was last read: an atomic rename gives the file a new inode, an edit a new mtime/size.
  const identity = async () => {
    const info = await stat(path).catch(() => undefined);
    return info ? `${info.ino}:${info.size}:${info.mtimeMs}` : "missing";
  };
  let seen = await identity();
  let secrets: readonly string[] = await readSecretsFile(path);
  let reloading: Promise<void> | undefined;

  const reload = async () => {
    const now = await identity();
    if (now === seen) return;
    try {
      const next = await readSecretsFile(path);
      seen = now;
      secrets = next;
      log(`${path} changed: now trusting ${secretsCount(next.length)}`);
    } catch (error) {
      seen = now;
      log(
        `cannot re-read ${path}, still trusting the ${secretsCount(secrets.length)} read before: ${(error as Error).message}`,
      );
    }
  };
  const reloadOnce = () => {
    reloading ??= reload().finally(() => {
      reloading = undefined;
    });
    return reloading;
  };

  // Watch the folder, not the file: an atomic write replaces the file, and a watch on the old one goes quiet.
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), (_event, name) => {
      if (name === null || name === basename(path)) void reloadOnce();
    });
  } catch {
    // Some file systems cannot be watched; the stat before each delivery still catches every change.
  }
  return {
    current: async () => {
      // A reload already under way may have looked before the latest change: check again after it.
      for (let tries = 0; tries < 3 && (await identity()) !== seen; tries += 1) await reloadOnce();
      return secrets;
    },
    close: () => watcher?.close(),
  };
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

export function createReceiver(trusted: TrustedSecrets, log: (line: string) => void = console.log): Server {
  // When the newest secret first matched while older ones were still trusted, and whether we said so.
  let newest: { secret: string; since: number; told: boolean } | undefined;

  const handle = async (req: IncomingMessage): Promise<{ status: number; reason?: string }> => {
    if (req.method !== "POST") return { status: 405 };
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) return { status: 413 };
    const secrets = await trusted.current();
    try {
      const { signature, timestamp } = readWebhookHeaders(req.headers);
      const { event, known, secretIndex } = verifyWebhook(body, signature, timestamp, [...secrets]);
      const isNewest = secretIndex === secrets.length - 1;
      log(
        `verified ${event.type} ${event.id} with secret ${secretIndex + 1} of ${secrets.length}` +
          `${isNewest ? " (the newest)" : ""}${known ? "" : " (event type not handled here)"}`,
      );
      // Once the newest secret has matched for a full tolerance window, nothing signed with an older one
      // can still verify: say so once, so the operator knows retiring the old secrets is safe.
      if (isNewest && secrets.length > 1) {
        const secret = secrets[secretIndex] as string;
        if (newest?.secret !== secret) newest = { secret, since: Date.now(), told: false };
        if (!newest.told && Date.now() - newest.since >= DEFAULT_TOLERANCE_SECONDS * 1000) {
          newest.told = true;
          log(
            `deliveries have verified with the newest secret for ${DEFAULT_TOLERANCE_SECONDS} s: ` +
              "run `hai-webhook-rotate retire --secrets-file <path>` to stop trusting the older ones",
          );
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

// Started directly (not imported): read the file, listen, and stop cleanly on Ctrl-C or SIGTERM.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const path = process.env.WEBHOOK_SECRETS_FILE;
  if (!path) {
    console.error(
      "Set WEBHOOK_SECRETS_FILE to a file holding the webhook's signing secret (one per line, oldest first).",
    );
    process.exit(1);
  }
  const trusted = await watchSecretsFile(path, console.log).catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
  const host = process.env.HOST ?? "127.0.0.1";
  const server = createReceiver(trusted);
  server.listen(Number(process.env.PORT ?? 8787), host, async () => {
    const { port } = server.address() as { port: number };
    const count = (await trusted.current()).length;
    console.log(`listening on http://${host}:${port} (trusting ${secretsCount(count)} from ${path})`);
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      trusted.close();
      server.close(() => process.exit(0));
    });
}
