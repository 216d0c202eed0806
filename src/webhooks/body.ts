// Checks the raw body, however the caller's framework hands it over, and keeps it in a form the HMAC and
// JSON.parse take directly: text stays text (hashed as UTF-8), bytes stay the same view.
import { WebhookVerificationError } from "./errors.js";
import { isWellFormedText } from "./scheme.js";

/** The raw request body: the bytes as received, or those bytes decoded as UTF-8 text. Never re-serialised JSON. */
export type WebhookBody = string | Uint8Array | ArrayBuffer;

/** The signed bytes, or their UTF-8 text. No copy: a view keeps its offset and length (pooled `Buffer`s are views). */
export function rawBody(body: unknown): string | Uint8Array {
  if (typeof body === "string") {
    if (!isWellFormedText(body)) {
      throw new WebhookVerificationError(
        "invalid_body",
        "The body string contains an unpaired UTF-16 surrogate, so it cannot be the text of the raw request body. " +
          "Pass the body exactly as received, preferably as bytes (a Buffer or Uint8Array).",
      );
    }
    return body;
  }
  // Tag checks instead of `instanceof`, so bytes from another realm (a vm context, a worker) are accepted too.
  if (ArrayBuffer.isView(body) && tagOf(body) === "Uint8Array") return body as Uint8Array;
  if (tagOf(body) === "ArrayBuffer") return new Uint8Array(body as ArrayBuffer);
  throw new WebhookVerificationError(
    "invalid_body",
    `${describeBody(body)} Pass the raw request body (a string, Buffer, Uint8Array or ArrayBuffer) before any JSON parsing.`,
  );
}

function tagOf(value: unknown): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

function describeBody(body: unknown): string {
  if (body === undefined || body === null) return `The body is ${String(body)}: the raw body was not read.`;
  if (ArrayBuffer.isView(body)) return "The body is a typed array other than Uint8Array.";
  if (typeof body === "object")
    return "The body is an already-parsed object: its signature covers the raw bytes, which re-serialising cannot reproduce.";
  return `The body is a ${typeof body}, not text or bytes.`;
}
