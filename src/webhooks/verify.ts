// Verification, one pipeline for both implementations: the checks of every input, the replay window, which
// secrets are in force, and the outcome once the HMACs are compared. node.ts (node:crypto: `verifyWebhook`, and
// `verifyWebhookAsync` on Node, Deno and Bun) and web.ts (Web Crypto: `verifyWebhookAsync` everywhere else) only
// compute and compare the HMACs. No `node:*` import here, so this module runs on every JavaScript runtime.
import { reading, readingFailed, WebhookVerificationError } from "./errors.js";
import { isKnownEvent, type ParsedWebhookEvent, parseEventEnvelope } from "./event.js";
import { parseSignature, parseTimestamp } from "./headers.js";

/** How far, in seconds, a delivery's timestamp may be from the receiver's clock, in either direction. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The raw request body: the bytes as received, or those bytes decoded as UTF-8 text. Never re-serialised
 * JSON.
 */
export type WebhookBody = string | Uint8Array | ArrayBuffer;

/**
 * A secret that stops being trusted after `notAfter` (a `Date`, or milliseconds since the epoch), by the
 * verifier's clock: keep the old secret this way after a rotation and it retires itself.
 */
export interface ExpiringWebhookSecret {
  secret: string;
  notAfter: Date | number;
}
/** One trusted secret: the string as issued (`whsec_...`), or one with an expiry. */
export type WebhookSecret = string | ExpiringWebhookSecret;
/** One secret, or the list the receiver trusts during a rotation (e.g. `[oldSecret, newSecret]`). */
export type WebhookSecrets = WebhookSecret | readonly WebhookSecret[];

export interface VerifyWebhookOptions {
  /**
   * How far, in seconds, the delivery's timestamp may be from `now()` in either direction. Default 300, the
   * platform's window. Must be a finite number >= 0; the check cannot be switched off (inject `now` to replay
   * recorded deliveries instead).
   */
  toleranceSeconds?: number;
  /**
   * Alias of `toleranceSeconds`, the official SDK's name for it. Giving both with different values is an
   * error.
   */
  toleranceS?: number;
  /** The receiver's clock in milliseconds since the Unix epoch, like `Date.now` (the default). */
  now?: () => number;
}

/**
 * A delivery that passed verification. `known` tells whether `event` matches the spec's schema for its type;
 * when it does, `event.type` narrows to `SessionEvent` or `PingEvent`. Every other envelope arrives with
 * `known: false`.
 */
export type VerifiedWebhook = ParsedWebhookEvent & {
  /**
   * Position in `secrets` of the secret that matched (0 for a single secret). With `[oldSecret, newSecret]`,
   * 1 means the delivery was signed with the new secret: once the old one stops matching, retire it.
   */
  secretIndex: number;
  /** The delivery's `X-H-Webhook-Timestamp`, in Unix seconds. */
  timestamp: number;
};

/** A delivery whose inputs passed every check: all that is left is computing and comparing HMACs. */
export interface CheckedDelivery {
  /** The body to hash and parse: the caller's view, or a copy when the bytes could change (shared memory). */
  body: string | Uint8Array;
  /** The timestamp header as signed. */
  timestamp: string;
  seconds: number;
  /** The 64 lowercase hex digits of the signature header. */
  signature: string;
  /** The secrets as HMAC keys, in the caller's order (a private copy: the caller's list is read once). */
  keys: readonly string[];
  /**
   * Positions in `keys` of the secrets in force, then of the expired ones (tried only when none in force
   * matches).
   */
  live: readonly number[];
  expired: readonly number[];
  notAfter: readonly number[];
  asList: boolean;
}

/**
 * Checks everything that does not need an HMAC, reading each argument once, in this order: the secrets, the
 * options, the clock, the body, the timestamp, the signature, the window. Any caller code (a getter, a Proxy
 * trap, the clock) runs here and nowhere later; whatever it throws becomes a {@link
 * WebhookVerificationError}.
 */
export function checkDelivery(
  body: unknown,
  signature: unknown,
  timestamp: unknown,
  secrets: unknown,
  options: unknown,
): CheckedDelivery {
  const { keys, notAfter, asList, expires } = copySecrets(secrets);
  const { toleranceSeconds, now } = readOptions(options);
  const nowMs = readClock(now);
  const raw = readBody(body);
  const { text, seconds } = parseTimestamp(timestamp);
  const hex = parseSignature(signature);
  checkTolerance(seconds, nowMs, toleranceSeconds);
  // Usually every secret is in force: then the shared position lists do, with no allocation.
  let live = ALL_POSITIONS[notAfter.length] as readonly number[];
  let expired = NO_POSITIONS;
  if (expires && notAfter.some((limit) => limit < nowMs)) {
    const inForce: number[] = [];
    const past: number[] = [];
    for (let index = 0; index < notAfter.length; index += 1)
      ((notAfter[index] as number) >= nowMs ? inForce : past).push(index);
    live = inForce;
    expired = past;
  }
  return { body: raw, timestamp: text, seconds, signature: hex, keys, live, expired, notAfter, asList };
}

/**
 * The outcome once the HMACs are compared: `index` is the secret in force that matched (-1: none), and
 * `expiredIndex` the expired one that did when none in force did. `body` is the very text or bytes hashed.
 */
export function conclude(
  delivery: CheckedDelivery,
  body: string | Uint8Array,
  index: number,
  expiredIndex: number,
): VerifiedWebhook {
  if (index === -1) throw expiredIndex === -1 ? mismatch(delivery) : expired(delivery, expiredIndex);
  const event = parseEventEnvelope(body, index);
  // One object for the outcome, built here: no spread, no intermediate { known, event } (measured).
  return {
    known: isKnownEvent(event),
    event,
    secretIndex: index,
    timestamp: delivery.seconds,
  } as VerifiedWebhook;
}

/**
 * A caller's value in a message: a number as written, anything else by its type only (it may be a secret).
 */
const shown = (value: unknown): string => (typeof value === "number" ? String(value) : `a ${typeof value}`);
const quoted = (names: string[]): string => names.map((name) => JSON.stringify(name)).join(", ");

// ---- Secrets
// ------------------------------------------------------------------------------------------------

// A rotation needs two or three; a bound keeps a hostile `length` from making the copy run for ever.
const MAX_SECRETS = 64;
// The range of a Date, so that an expiry can always be printed.
const MAX_DATE_MS = 8.64e15;
// Built once rather than per call: the positions 0..n-1 of a list of n secrets, and each entry's name.
const ALL_POSITIONS: readonly (readonly number[])[] = Array.from({ length: MAX_SECRETS + 1 }, (_, length) =>
  Object.freeze(Array.from({ length }, (_, index) => index)),
);
const NO_POSITIONS: readonly number[] = ALL_POSITIONS[0] as readonly number[];
const ENTRY_NAMES = Array.from({ length: MAX_SECRETS }, (_, index) => `secrets[${index}]`);

/** The secrets as checked: HMAC keys, each one's expiry (Infinity: none), and whether any has one. */
interface TrustedSecrets {
  keys: readonly string[];
  notAfter: readonly number[];
  asList: boolean;
  expires: boolean;
}

/** Copies the list once (by index: no iterator to swap entries), then checks each entry of the copy. */
function copySecrets(secrets: unknown): TrustedSecrets {
  if (typeof secrets === "string")
    return {
      keys: [checkSecretText(secrets, "The secret")],
      notAfter: [Infinity],
      asList: false,
      expires: false,
    };
  let entries: unknown[] | undefined;
  try {
    if (Array.isArray(secrets)) {
      const length = secrets.length;
      if (length > MAX_SECRETS)
        throw new WebhookVerificationError(
          "invalid_secret",
          `The secret list has ${length} entries; trust only the current secret and, during a rotation, ` +
            `the previous one.`,
        );
      entries = [];
      for (let index = 0; index < length; index += 1) entries.push(secrets[index]);
    }
  } catch (error) {
    throw readingFailed("invalid_secret", "the secrets", error);
  }
  const asList = entries !== undefined;
  const list = entries ?? [secrets];
  if (list.length === 0) {
    throw new WebhookVerificationError(
      "no_secret",
      "The secret list is empty: pass the webhook's signing secret, or [oldSecret, " +
        "newSecret] during a rotation.",
    );
  }
  const keys: string[] = [];
  const notAfter: number[] = [];
  let expires = false;
  for (let index = 0; index < list.length; index += 1) {
    const entry = list[index];
    const where = asList ? (ENTRY_NAMES[index] as string) : "The secret";
    if (typeof entry === "object" && entry !== null) {
      const expiring = readExpiringSecret(entry, where);
      keys.push(expiring.key);
      notAfter.push(expiring.notAfter);
      expires = true;
    } else {
      keys.push(checkSecretText(entry, where));
      notAfter.push(Infinity);
    }
  }
  return { keys, notAfter, asList, expires };
}

function readExpiringSecret(entry: object, where: string): { key: string; notAfter: number } {
  const { secret, notAfter } = reading("invalid_secret", where, () => {
    if (Array.isArray(entry))
      throw new WebhookVerificationError(
        "invalid_secret",
        `${where} is a list; pass one flat list of secrets.`,
      );
    const extra = Object.keys(entry).filter((key) => key !== "secret" && key !== "notAfter");
    if (extra.length > 0 || !Object.hasOwn(entry, "notAfter")) {
      throw new WebhookVerificationError(
        "invalid_secret",
        `${where} is an object with ${extra.length > 0 ? `unknown field(s) ${quoted(extra)}` : "no notAfter"}; ` +
          "an entry is a secret string, or { secret, notAfter } with notAfter a Date or epoch milliseconds.",
      );
    }
    const record = entry as Record<string, unknown>;
    const limit = record.notAfter;
    return {
      secret: Object.hasOwn(entry, "secret") ? record.secret : undefined,
      // getTime through the prototype: throws for anything that is not a real Date, whatever its own methods.
      notAfter:
        typeof limit === "number" ? limit : isDate(limit) ? Date.prototype.getTime.call(limit) : limit,
    };
  });
  if (typeof notAfter !== "number" || !Number.isFinite(notAfter) || Math.abs(notAfter) > MAX_DATE_MS) {
    throw new WebhookVerificationError(
      "invalid_secret",
      `${where}.notAfter must be a valid Date or milliseconds since the epoch; got ${shown(notAfter)}.`,
    );
  }
  return { key: checkSecretText(secret, `${where}.secret`), notAfter };
}

function isDate(value: unknown): boolean {
  try {
    Date.prototype.getTime.call(value);
    return true;
  } catch {
    return false;
  }
}

// HMAC pads a short key with zero bytes, so "k" and "k\0" sign identically; control characters (a newline
// read from a file, a NUL) never occur in issued secrets. Refusing them keeps one secret, one key.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** One secret as an HMAC key: a non-empty string with an exact UTF-8 form and no control character. */
export function checkSecretText(secret: unknown, where: string): string {
  if (secret === undefined || secret === null || secret === "") {
    throw new WebhookVerificationError(
      "no_secret",
      `${where} is ${secret === "" ? "an empty string" : String(secret)}: ` +
        `is its environment variable or secret-store entry set? ` +
        "Leave unset secrets out of the list rather than passing them.",
    );
  }
  if (typeof secret !== "string") {
    throw new WebhookVerificationError(
      "invalid_secret",
      `${where} is a ${typeof secret}; secrets are strings such as "whsec_...", used as UTF-8 bytes.`,
    );
  }
  if (!isWellFormed(secret)) {
    throw new WebhookVerificationError(
      "invalid_secret",
      `${where} contains an unpaired UTF-16 surrogate, so it has no exact UTF-8 form to use as the key.`,
    );
  }
  if (CONTROL_CHARACTER.test(secret)) {
    throw new WebhookVerificationError(
      "invalid_secret",
      `${where} contains a control character (a trailing newline from a file or env var?). ` +
        `Issued secrets are printable: trim it.`,
    );
  }
  return secret;
}

// A string with an unpaired surrogate has no UTF-8 form: encoding it silently turns it into U+FFFD, so two
// different strings would make the same key or body. (ES2024; every supported runtime has it.)
const isWellFormed = (text: string): boolean =>
  (text as unknown as { isWellFormed(): boolean }).isWellFormed();

// ---- Options and clock
// --------------------------------------------------------------------------------------

const OPTION_NAMES = new Set(["toleranceSeconds", "toleranceS", "now"]);
const DEFAULT_OPTIONS = { toleranceSeconds: DEFAULT_TOLERANCE_SECONDS, now: undefined };
const invalidOptions = (message: string) => new WebhookVerificationError("invalid_options", message);

/** Reads own properties only: a name polluted onto Object.prototype elsewhere in the app is not an option. */
function readOptions(options: unknown): { toleranceSeconds: number; now: unknown } {
  if (options === undefined) return DEFAULT_OPTIONS;
  return reading("invalid_options", "the options", () => {
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw invalidOptions(
        `The options must be an object such as { toleranceSeconds: 300 }, or left out; ` +
          `got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}.`,
      );
    }
    const unknown = Object.keys(options).filter((key) => !OPTION_NAMES.has(key));
    if (unknown.length > 0) {
      throw invalidOptions(
        `Unknown option ${unknown.map((key) => JSON.stringify(key)).join(", ")}; ` +
          `the options are toleranceSeconds (or toleranceS) and now.`,
      );
    }
    const own = (key: string): unknown =>
      Object.hasOwn(options, key) ? (options as Record<string, unknown>)[key] : undefined;
    const toleranceSeconds = pickTolerance(own("toleranceSeconds"), own("toleranceS"));
    const now = own("now");
    if (now !== undefined && typeof now !== "function")
      throw invalidOptions(
        `The now option must be a function returning milliseconds, like Date.now; got a ${typeof now}.`,
      );
    return { toleranceSeconds, now };
  });
}

function pickTolerance(seconds: unknown, alias: unknown): number {
  if (seconds !== undefined && alias !== undefined && seconds !== alias)
    throw invalidOptions(
      "toleranceSeconds and toleranceS are the same option under two names; give only one.",
    );
  const value = seconds ?? alias ?? DEFAULT_TOLERANCE_SECONDS;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalidOptions(
      `The tolerance must be a finite number of seconds >= 0 (default ${DEFAULT_TOLERANCE_SECONDS}); ` +
        `got ${shown(value)}.`,
    );
  }
  return value;
}

function readClock(now: unknown): number {
  let value: unknown;
  try {
    value = now === undefined ? Date.now() : (now as () => unknown)();
  } catch (error) {
    throw new WebhookVerificationError("invalid_options", "The now option threw an error (see its cause).", {
      cause: error,
    });
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw invalidOptions(
      "The now option must return a finite number of milliseconds since the epoch, like Date.now; it " +
        `returned ${isDate(value) ? "a Date (use () => date.getTime())" : shown(value)}.`,
    );
  }
  return value;
}

/**
 * Rejects a delivery signed more than `toleranceSeconds` before or after `nowMs`. Compares whole seconds, as
 * the header has no finer resolution: exactly the tolerance away is accepted, one second more is not.
 */
function checkTolerance(seconds: number, nowMs: number, toleranceSeconds: number): void {
  const nowSeconds = Math.floor(nowMs / 1000);
  const skew = nowSeconds - seconds;
  if (Math.abs(skew) <= toleranceSeconds) return;
  const direction =
    skew > 0
      ? `was signed ${skew} s ago, more than the ${toleranceSeconds} s tolerance: a replay, ` +
        `a delivery held in a queue, or a receiver clock running fast`
      : `is dated ${-skew} s in the future, more than the ${toleranceSeconds} s tolerance: ` +
        `the receiver's clock is probably running slow`;
  throw new WebhookVerificationError(
    "timestamp_out_of_tolerance",
    `The delivery ${direction} (timestamp ${seconds}, receiver clock ${nowSeconds}). ` +
      `Check the receiver's clock (NTP); ` +
      "a custom `now` option must return milliseconds since the epoch.",
  );
}

// ---- Body
// ---------------------------------------------------------------------------------------------------

// Brand checks through the built-in getters: they read internal slots, so they work across realms (a vm
// context, a worker) and cannot be fooled by a Proxy, a subclass or an own property of the same name.
const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array.prototype) as object;
const getter = (target: object, key: PropertyKey) =>
  Object.getOwnPropertyDescriptor(target, key)?.get as (this: unknown) => unknown;
const typedArrayTag = getter(TYPED_ARRAY, Symbol.toStringTag);
const viewBuffer = getter(TYPED_ARRAY, "buffer");
const viewOffset = getter(TYPED_ARRAY, "byteOffset");
const viewLength = getter(TYPED_ARRAY, "byteLength");
const arrayBufferLength = getter(ArrayBuffer.prototype, "byteLength");
// Absent from pages that are not cross-origin isolated.
const sharedBufferLength =
  typeof SharedArrayBuffer === "function" ? getter(SharedArrayBuffer.prototype, "byteLength") : undefined;

const isBrand = (get: ((this: unknown) => unknown) | undefined, value: unknown): boolean => {
  if (get === undefined) return false;
  try {
    get.call(value);
    return true;
  } catch {
    return false;
  }
};

/**
 * The body as text or as a plain Uint8Array over the caller's bytes (no copy: a view keeps its offset and
 * length, as pooled `Buffer`s need). Bytes in shared memory are copied, since another thread could change
 * them between the HMAC and the parse.
 */
export function readBody(body: unknown): string | Uint8Array {
  if (typeof body === "string") {
    if (!isWellFormed(body)) {
      throw new WebhookVerificationError(
        "invalid_body",
        "The body string contains an unpaired UTF-16 surrogate, " +
          "so it cannot be the text of the raw request body. " +
          "Pass the body exactly as received, preferably as bytes (a Buffer or Uint8Array).",
      );
    }
    return body;
  }
  return reading("invalid_body", "the body", () => {
    let buffer: unknown = body;
    let view: Uint8Array | undefined;
    if (ArrayBuffer.isView(body) && typedArrayTag.call(body) === "Uint8Array") {
      buffer = viewBuffer.call(body);
      view = new Uint8Array(
        buffer as ArrayBuffer,
        viewOffset.call(body) as number,
        viewLength.call(body) as number,
      );
    }
    if (isBrand(arrayBufferLength, buffer)) {
      if (arrayBufferLength.call(buffer) === 0) {
        try {
          new Uint8Array(buffer as ArrayBuffer);
        } catch {
          throw new WebhookVerificationError(
            "invalid_body",
            "The body's ArrayBuffer is detached (transferred to a worker or consumed), " +
              "so its bytes are gone. " +
              "Verify before transferring the buffer, or pass a copy.",
          );
        }
      }
      return view ?? new Uint8Array(buffer as ArrayBuffer);
    }
    if (isBrand(sharedBufferLength, buffer))
      return Uint8Array.from(view ?? new Uint8Array(buffer as ArrayBuffer));
    throw new WebhookVerificationError(
      "invalid_body",
      `${describeBody(body)} Pass the raw request body (a string, Buffer, ` +
        `Uint8Array or ArrayBuffer) before any JSON parsing.`,
    );
  });
}

function describeBody(body: unknown): string {
  if (body === undefined || body === null) return `The body is ${String(body)}: the raw body was not read.`;
  if (ArrayBuffer.isView(body)) return "The body is a typed array other than Uint8Array.";
  if (typeof body === "object")
    return (
      "The body is an already-parsed object: its signature covers the raw bytes, " +
      "which re-serialising cannot reproduce."
    );
  return `The body is a ${typeof body}, not text or bytes.`;
}

// ---- Outcomes
// -----------------------------------------------------------------------------------------------

const nameOf = (delivery: CheckedDelivery, index: number) =>
  delivery.asList ? `secrets[${index}]` : "The secret";

function expired(delivery: CheckedDelivery, index: number): WebhookVerificationError {
  const limit = delivery.notAfter[index] as number;
  const unitHint =
    Math.abs(limit) < 1e11 ? " (notAfter is milliseconds since the epoch: was it given in seconds?)" : "";
  return new WebhookVerificationError(
    "secret_expired",
    `${nameOf(delivery, index)} matches this delivery but expired at ${new Date(limit).toISOString()}` +
      `${unitHint}, and ` +
      "no secret in force matches. Remove it from the trusted list: " +
      "after a rotation the platform signs every " +
      "delivery, retries included, with the new secret.",
    { secretIndex: index },
  );
}

/**
 * Likely reasons why a valid-looking signature matched none of the secrets. Names secrets by position only.
 */
function mismatch(delivery: CheckedDelivery): WebhookVerificationError {
  const { keys, body } = delivery;
  const single = keys.length === 1;
  const hints = keys.flatMap((key, index) => {
    const where = nameOf(delivery, index);
    if (key.trim() !== key) return [`${where} has leading or trailing spaces: trim them.`];
    if (!key.startsWith("whsec_"))
      return [
        `${where} does not start with "whsec_": the key is the whole secret as issued, prefix included.`,
      ];
    return [];
  });
  if (body.length === 0)
    hints.push("The body is empty: was the raw body read, or consumed elsewhere before verification?");
  else if (typeof body === "string" ? body.includes("\n") : body.includes(0x0a))
    hints.push(
      "The body has line breaks; the platform sends JSON on one line, so it was probably re-serialised.",
    );
  hints.push(
    "Otherwise the body may have been changed before verification: pass the raw request bytes, " +
      "not parsed and re-serialised JSON.",
  );
  if (single) hints.push("During a rotation, trust both secrets: [oldSecret, newSecret].");
  const tried = single ? "The secret does not match" : `None of the ${keys.length} secrets matches`;
  return new WebhookVerificationError(
    "signature_mismatch",
    [`${tried} the signature for this body and timestamp.`, ...hints].join(" "),
  );
}
