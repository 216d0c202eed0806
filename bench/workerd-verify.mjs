// A Worker for bench/runtimes.mjs, timed from outside (inside workerd the clock stands still during a request):
// each request runs `n` verifications of one body with `mode` = `ours` (verifyWebhookAsync from the one import,
// the Web Crypto implementation here) or `floor` (a bare crypto.subtle HMAC with the key imported once, a
// compare and JSON.parse: the least any Web Crypto verifier does).
import { verifyWebhookAsync } from "hai-webhook-rotate/webhooks";

const encoder = new TextEncoder();
const SECRET = "whsec_benchSecretAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const prepared = new Map();

async function prepare(bytes) {
  const event = {
    type: "session.completed",
    id: "evt_bench",
    created_at: "2026-07-02T09:00:00Z",
    data: { notes: "" },
  };
  event.data.notes = "x".repeat(Math.max(0, bytes - JSON.stringify(event).length));
  const body = JSON.stringify(event);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const digest = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`)),
  );
  const signature = `sha256=${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  return { body, timestamp, signature, key, digest };
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n"));
    const bytes = Number(url.searchParams.get("bytes"));
    if (!prepared.has(bytes)) prepared.set(bytes, await prepare(bytes));
    const { body, timestamp, signature, key, digest } = prepared.get(bytes);
    for (let i = 0; i < n; i += 1) {
      if (url.searchParams.get("mode") === "ours")
        await verifyWebhookAsync(body, signature, timestamp, SECRET);
      else {
        const actual = new Uint8Array(
          await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`)),
        );
        let difference = 0;
        for (let j = 0; j < digest.length; j += 1) difference |= actual[j] ^ digest[j];
        if (difference !== 0) throw new Error("no match");
        JSON.parse(body);
      }
    }
    return new Response("ok");
  },
};
