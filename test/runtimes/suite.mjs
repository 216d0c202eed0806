// What every runtime must show through the one import, `hai-webhook-rotate/webhooks`, as the packed package
// resolves it there: the known-answer vectors through verifyWebhookAsync, then createWebhookHandler answering
// real `Request`s. Plain web APIs only (no node:*, no Buffer), so the same file runs in Node, Deno, Bun and,
// bundled, in workerd. scripts/runtimes.mjs copies it, with the vectors, into a project that installed the
// tarball, and runs it in each runtime.
import * as webhooks from "hai-webhook-rotate/webhooks";
import knownAnswers from "../webhooks/vectors/known-answers.json" with { type: "json" };

const {
  createSeenEventStore,
  createWebhookHandler,
  isWebhookVerificationError,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookAsync,
} = webhooks;

// Every runtime gets these names; node:crypto runtimes also the synchronous ones.
const SHARED = [
  "DEFAULT_TOLERANCE_SECONDS",
  "SIGNATURE_HEADER",
  "SIGNATURE_PREFIX",
  "TIMESTAMP_HEADER",
  "WEBHOOK_VERIFICATION_ERROR_REASONS",
  "WebhookVerificationError",
  "createNodeWebhookHandler",
  "createSeenEventStore",
  "createWebhookHandler",
  "isWebhookVerificationError",
  "readWebhookHeaders",
  "verifyWebhookAsync",
];
const NODE_ONLY = ["buildSignedDelivery", "signWebhook", "verifyWebhook"];

const OLD = "whsec_runtimeOldSecretAAAAAAAAAAAAAAAAAAAAAAAA";
const NEW = "whsec_runtimeNewSecretBBBBBBBBBBBBBBBBBBBBBBBB";
const encoder = new TextEncoder();

/** An independent signer on this runtime's own Web Crypto: `sha256=` + hex HMAC(secret, `ts.` + body). */
async function sign(body, timestamp, secret) {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const digest = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`)),
  );
  return `sha256=${Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

const event = (id) =>
  JSON.stringify({
    type: "session.completed",
    id,
    created_at: "2026-07-02T09:00:00Z",
    data: {
      session_id: "9c5b94b1-35ad-49bb-b118-8e8fc24abf80",
      status: "completed",
      previous_status: "running",
    },
  });

async function delivery({
  secret,
  id = "evt_runtime",
  method = "POST",
  body = event(id),
  age = 0,
  tamper = false,
}) {
  const timestamp = String(Math.floor(Date.now() / 1000) - age);
  const headers = { "Content-Type": "application/json" };
  if (secret !== undefined) {
    headers[SIGNATURE_HEADER] = await sign(body, timestamp, secret);
    headers[TIMESTAMP_HEADER] = timestamp;
  }
  return new Request("http://127.0.0.1/webhooks", {
    method,
    headers,
    body: method === "GET" ? undefined : tamper ? body.replace("completed", "failed") : body,
  });
}

/** One answer as a comparable value. */
async function answer(response) {
  const text = await response.text();
  return {
    status: response.status,
    body: text === "" ? null : JSON.parse(text),
    allow: response.headers.get("allow"),
  };
}

function bytesOf(vector) {
  if (vector.body_base64 === undefined) return encoder.encode(vector.body ?? "");
  return Uint8Array.from(atob(vector.body_base64), (char) => char.charCodeAt(0));
}

/**
 * Runs every check; returns `[{ name, ok, detail }]`. `nodeCrypto` says which implementation this runtime must
 * resolve: node:crypto (Node, Deno, Bun) or Web Crypto (workerd, browsers).
 */
export async function runSuite({ nodeCrypto }) {
  const results = [];
  const check = async (name, body) => {
    try {
      const detail = await body();
      results.push({ name, ok: detail === true, detail: detail === true ? undefined : String(detail) });
    } catch (error) {
      results.push({ name, ok: false, detail: `threw ${error?.stack ?? error}` });
    }
  };
  const same = (actual, expected) =>
    JSON.stringify(actual) === JSON.stringify(expected) ||
    `got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;

  await check(`resolves the ${nodeCrypto ? "node:crypto" : "Web Crypto"} implementation`, () => {
    const names = Object.keys(webhooks).sort();
    const expected = (nodeCrypto ? [...SHARED, ...NODE_ONLY] : SHARED).sort();
    return same(names, expected);
  });

  for (const vector of knownAnswers.vectors) {
    await check(`vector: ${vector.name}`, async () => {
      let outcome;
      try {
        const verified = await verifyWebhookAsync(
          bytesOf(vector),
          vector.signature,
          vector.timestamp,
          vector.secrets,
          {
            now: () => vector.now * 1000, // the vectors give the clock in seconds
          },
        );
        outcome = {
          ok: true,
          secretIndex: verified.secretIndex,
          type: verified.event.type,
          known: verified.known,
        };
      } catch (error) {
        outcome = isWebhookVerificationError(error)
          ? { ok: false, reason: error.reason }
          : { threw: String(error) };
      }
      return same(outcome, vector.expect);
    });
  }

  const handled = [];
  const refusals = [];
  const inAnHour = Date.now() + 3_600_000;
  const rotating = createWebhookHandler({
    secrets: [{ secret: OLD, notAfter: inAnHour }, NEW],
    onEvent: (webhook) => {
      handled.push(webhook.secretIndex);
    },
    onRefused: (refusal) => refusals.push(refusal.reason),
  });
  const retired = createWebhookHandler({
    secrets: async () => [{ secret: OLD, notAfter: Date.now() - 1000 }, NEW],
    onEvent: () => undefined,
    onRefused: () => undefined,
  });

  await check("handler: signed with the new secret -> 200", async () =>
    same(
      [await answer(await rotating(await delivery({ secret: NEW }))), handled.at(-1)],
      [{ status: 200, body: { received: "evt_runtime" }, allow: null }, 1],
    ),
  );
  await check("handler: signed with the old secret during the overlap -> 200", async () =>
    same([(await rotating(await delivery({ secret: OLD }))).status, handled.at(-1)], [200, 0]),
  );
  await check("handler: the old secret after its notAfter -> 401 secret_expired", async () =>
    same(await answer(await retired(await delivery({ secret: OLD }))), {
      status: 401,
      body: { error: "secret_expired", message: "No trusted secret signed this body and timestamp." },
      allow: null,
    }),
  );
  await check("handler: a forged body -> 401 signature_mismatch", async () =>
    same(
      (await answer(await rotating(await delivery({ secret: NEW, tamper: true })))).body.error,
      "signature_mismatch",
    ),
  );
  await check("handler: a stale delivery (301 s old) -> 401 timestamp_out_of_tolerance", async () => {
    const { status, body } = await answer(await rotating(await delivery({ secret: NEW, age: 301 })));
    return same([status, body.error], [401, "timestamp_out_of_tolerance"]);
  });
  await check("handler: a GET -> 405 with Allow: POST", async () => {
    const { status, allow } = await answer(await rotating(await delivery({ method: "GET" })));
    return same([status, allow], [405, "POST"]);
  });
  await check("handler: unsigned -> 401 missing_signature", async () =>
    same((await rotating(await delivery({}))).status, 401),
  );
  await check("handler: over maxBodyBytes -> 413", async () => {
    const small = createWebhookHandler({ secrets: NEW, onEvent: () => undefined, maxBodyBytes: 64 });
    return same((await small(await delivery({ secret: NEW }))).status, 413);
  });
  await check("handler: onEvent throws -> 500; a duplicate id -> 200 without onEvent", async () => {
    let calls = 0;
    const handler = createWebhookHandler({
      secrets: NEW,
      seen: createSeenEventStore(),
      onEvent: () => {
        calls += 1;
        if (calls === 1) throw new Error("database down");
      },
      onRefused: () => undefined,
    });
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt += 1)
      statuses.push((await answer(await handler(await delivery({ secret: NEW, id: "evt_dup" })))).body);
    return same(
      [statuses, calls],
      [
        [
          { error: "event_handler_failed", message: "The receiver failed to process the event." },
          { received: "evt_dup" },
          { received: "evt_dup", duplicate: true },
        ],
        2,
      ],
    );
  });
  await check("handler: no answer names a secret", () =>
    same(
      refusals.filter((reason) => reason.includes("whsec_")),
      [],
    ),
  );

  if (nodeCrypto) {
    await check("verifyWebhook (sync) agrees with verifyWebhookAsync", async () => {
      const body = event("evt_sync");
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = await sign(body, timestamp, NEW);
      const sync = webhooks.verifyWebhook(body, signature, timestamp, [OLD, NEW]);
      const async = await verifyWebhookAsync(body, signature, timestamp, [OLD, NEW]);
      return same([sync, webhooks.signWebhook(body, timestamp, NEW)], [async, signature]);
    });
  }
  return results;
}
