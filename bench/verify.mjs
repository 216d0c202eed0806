// Verification throughput: ours against the floor of this machine and against npm peers doing the same job;
// the Web Crypto path against the node:crypto one and standardwebhooks; the portable entry's bundle size.
// `npm run bench` prints the throughput tables; `npm run bench:verify` prints only these, sizes included.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  verify as octokitVerify,
  verifyWithFallback as octokitVerifyWithFallback,
} from "@octokit/webhooks-methods";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { verifyWebhook, verifyWebhookAsync } from "../dist/src/webhooks/index.js";
import { verifyWebhookAsync as webVerifyWebhookAsync } from "../dist/src/webhooks/web.js";
import { compare } from "./harness.mjs";
import { bundleSize } from "./size.mjs";

/** A JSON delivery body of about `bytes` bytes, shaped like a real event. */
function eventBody(bytes) {
  const event = {
    type: "session.completed",
    id: "evt_01J2Z3K4M5N6P7Q8R9S0T1V2W3",
    created_at: "2026-07-02T09:00:00Z",
    data: {
      session_id: "9c5b94b1-35ad-49bb-b118-8e8fc24abf80",
      status: "completed",
      previous_status: "running",
      notes: "",
    },
  };
  const base = JSON.stringify(event).length;
  event.data.notes = "x".repeat(Math.max(0, bytes - base));
  return JSON.stringify(event);
}

const secretFor = (i) => `whsec_${randomBytes(32).toString("base64url")}${i}`;
const sign = (secret, timestamp, body) =>
  `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;

/**
 * The least any verifier of this scheme must do: one HMAC per secret tried and a constant-time compare
 * (and, with `parse`, the JSON.parse that returning the event requires).
 */
function floor(body, signature, timestamp, secrets, parse) {
  // The fastest spelling measured here: compare hex text rather than decode the header to bytes.
  const expected = Buffer.from(signature.slice(7), "latin1");
  for (const secret of secrets) {
    const actual = Buffer.from(
      createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex"),
      "latin1",
    );
    if (actual.length === expected.length && timingSafeEqual(actual, expected))
      return parse ? JSON.parse(body) : true;
  }
  throw new Error("floor: no match");
}

function caseFor(bytes, secretCount) {
  const secrets = Array.from({ length: secretCount }, (_, i) => secretFor(i));
  const current = secrets[secrets.length - 1];
  const timestamp = String(Math.floor(Date.now() / 1000));
  const body = eventBody(bytes);
  return { secrets, current, timestamp, body, signature: sign(current, timestamp, body) };
}

function ours({ body, signature, timestamp, secrets }) {
  return () => verifyWebhook(body, signature, timestamp, secrets);
}

function oursAsync({ body, signature, timestamp, secrets }) {
  return () => verifyWebhookAsync(body, signature, timestamp, secrets);
}

function oursWeb({ body, signature, timestamp, secrets }) {
  return () => webVerifyWebhookAsync(body, signature, timestamp, secrets);
}

/**
 * standardwebhooks over the same body: one secret, or, since it has no rotation support, one instance per
 * secret tried in turn (the match on the last), as a receiver would have to.
 */
function standardFor({ body, secrets }) {
  const keys = secrets.map(() => randomBytes(24).toString("base64"));
  const verifiers = keys.map((key) => new StandardWebhook(key));
  const timestamp = new Date();
  const headers = {
    "webhook-id": "msg_bench",
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": verifiers.at(-1).sign("msg_bench", timestamp, body),
  };
  return () => {
    for (const [index, verifier] of verifiers.entries()) {
      try {
        return verifier.verify(body, headers);
      } catch (error) {
        if (index === verifiers.length - 1) throw error;
      }
    }
  };
}

function peers({ body, current, secrets }, parseToo) {
  const octoSignature = `sha256=${createHmac("sha256", current).update(body).digest("hex")}`;
  const others = secrets.slice(0, -1);
  const octokit =
    secrets.length === 1
      ? async () => {
          if (!(await octokitVerify(current, body, octoSignature))) throw new Error("octokit: no match");
          return parseToo ? JSON.parse(body) : true;
        }
      : async () => {
          if (
            !(await octokitVerifyWithFallback(others[0], body, octoSignature, [...others.slice(1), current]))
          )
            throw new Error("octokit: no match");
          return parseToo ? JSON.parse(body) : true;
        };
  return octokit;
}

function standardPeers({ body }) {
  const key = randomBytes(24).toString("base64");
  const msgId = "msg_bench";
  const standard = new StandardWebhook(key);
  const svix = new SvixWebhook(`whsec_${key}`);
  const timestamp = new Date();
  const headers = {
    "webhook-id": msgId,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": standard.sign(msgId, timestamp, body),
  };
  const svixHeaders = {
    "svix-id": msgId,
    "svix-timestamp": headers["webhook-timestamp"],
    "svix-signature": svix.sign(msgId, timestamp, body),
  };
  return {
    "standardwebhooks Webhook.verify (parses)": () => standard.verify(body, headers),
    "svix Webhook.verify (parses)": () => svix.verify(body, svixHeaders),
  };
}

export async function measureVerify({ quick = false } = {}) {
  const options = quick ? { rounds: 3, sliceMs: 120 } : { rounds: 5, sliceMs: 250 };
  const out = {};

  const one = caseFor(1024, 1);
  out["1 KiB body, 1 secret"] = {
    baselines: ["floor: HMAC + compare", "floor: HMAC + compare + JSON.parse"],
    results: await compare(
      {
        "floor: HMAC + compare": () => floor(one.body, one.signature, one.timestamp, one.secrets, false),
        "floor: HMAC + compare + JSON.parse": () =>
          floor(one.body, one.signature, one.timestamp, one.secrets, true),
        "hai-webhook-rotate verifyWebhook (parses)": ours(one),
        "hai-webhook-rotate verifyWebhookAsync, node:crypto (parses)": oursAsync(one),
        "@octokit/webhooks-methods verify (no parse)": peers(one, false),
        "@octokit/webhooks-methods verify + JSON.parse": peers(one, true),
        ...standardPeers(one),
      },
      options,
    ),
  };

  const two = caseFor(1024, 2);
  out["1 KiB body, 2 secrets, match on the second"] = {
    baselines: ["floor: 2 HMACs + compare", "floor: 2 HMACs + compare + JSON.parse"],
    results: await compare(
      {
        "floor: 2 HMACs + compare": () => floor(two.body, two.signature, two.timestamp, two.secrets, false),
        "floor: 2 HMACs + compare + JSON.parse": () =>
          floor(two.body, two.signature, two.timestamp, two.secrets, true),
        "hai-webhook-rotate verifyWebhook (parses)": ours(two),
        "@octokit/webhooks-methods verifyWithFallback (no parse)": peers(two, false),
        "@octokit/webhooks-methods verifyWithFallback + JSON.parse": peers(two, true),
      },
      options,
    ),
  };

  for (const bytes of [1024, 1024 * 1024]) {
    for (const count of [1, 2]) {
      const c = caseFor(bytes, count);
      const label = `${bytes >= 1024 * 1024 ? "1 MiB" : "1 KiB"} body, ${count} secret${count > 1 ? "s, match on the second" : ""}`;
      out[`Web Crypto path, ${label}`] = {
        baselines: ["verifyWebhook (node:crypto, sync)"],
        results: await compare(
          {
            "verifyWebhook (node:crypto, sync)": ours(c),
            "verifyWebhookAsync (node:crypto, the one import on Node)": oursAsync(c),
            "verifyWebhookAsync (Web Crypto, ./webhooks/web)": oursWeb(c),
            [count > 1 ? "standardwebhooks, one instance per secret" : "standardwebhooks Webhook.verify"]:
              standardFor(c),
          },
          options,
        ),
      };
    }
  }

  const sizes = quick ? [1024, 1024 * 1024] : [1024, 16 * 1024, 256 * 1024, 1024 * 1024];
  const bySize = {};
  for (const bytes of sizes) {
    const c = caseFor(bytes, 1);
    const label = bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
    bySize[`floor + JSON.parse, ${label}`] = () => floor(c.body, c.signature, c.timestamp, c.secrets, true);
    bySize[`verifyWebhook, ${label}`] = ours(c);
  }
  const sizeResults = await compare(bySize, options);
  out["body size 1 KiB to 1 MiB"] = { baselines: [], results: sizeResults, pairs: pairUp(sizeResults) };

  const counts = quick ? [1, 8] : [1, 2, 4, 8];
  const byCount = {};
  for (const count of counts) {
    const c = caseFor(1024, count);
    byCount[`floor + JSON.parse, ${count} secret(s), match last`] = () =>
      floor(c.body, c.signature, c.timestamp, c.secrets, true);
    byCount[`verifyWebhook, ${count} secret(s), match last`] = ours(c);
  }
  const countResults = await compare(byCount, options);
  out["number of secrets 1 to 8"] = { baselines: [], results: countResults, pairs: pairUp(countResults) };
  return out;
}

/** For scaling runs: each verifyWebhook figure as a ratio to the floor measured at the same point. */
function pairUp(results) {
  const pairs = {};
  for (const [name, value] of Object.entries(results)) {
    if (!name.startsWith("verifyWebhook, ")) continue;
    const floorName = name.replace("verifyWebhook, ", "floor + JSON.parse, ");
    pairs[name] = value / results[floorName];
  }
  return pairs;
}

/** min+gzip size of what a browser or Worker bundle ships for verification: ours (the portable entry) and the peer. */
export async function measureVerifySizes() {
  const size = (contents) => bundleSize(contents, "browser");

  return {
    "hai-webhook-rotate/webhooks/web (everything it exports)": await size(
      'export * from "./dist/src/webhooks/web.js";',
    ),
    "hai-webhook-rotate/webhooks/web (verifyWebhookAsync + readWebhookHeaders)": await size(
      'export { verifyWebhookAsync, readWebhookHeaders } from "./dist/src/webhooks/web.js";',
    ),
    "hai-webhook-rotate/webhooks/web (createWebhookHandler)": await size(
      'export { createWebhookHandler } from "./dist/src/webhooks/web.js";',
    ),
    "standardwebhooks (Webhook)": await size('export { Webhook } from "standardwebhooks";'),
  };
}

// `node bench/verify.mjs [--quick]`: these measurements alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  const fmt = (n) => Math.round(n).toLocaleString("en-US");
  for (const [title, { results, baselines }] of Object.entries(await measureVerify({ quick }))) {
    console.log(`\n### ${title} (verifications per second)\n`);
    for (const [name, ops] of Object.entries(results))
      console.log(
        `${name.padEnd(62)} ${fmt(ops).padStart(9)}  ${baselines.map((b) => `${(ops / results[b]).toFixed(2)}x ${b}`).join(", ")}`,
      );
  }
  console.log("\n### Bundle size (esbuild, browser, ESM, minified)\n");
  for (const [name, { minified, gzip }] of Object.entries(await measureVerifySizes()))
    console.log(`${name.padEnd(76)} ${fmt(minified).padStart(7)} B min, ${fmt(gzip).padStart(6)} B min+gzip`);
}
