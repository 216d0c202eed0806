// The verified body as a typed event. Authenticity decides, shape informs: after a good signature only a body
// that is not a JSON event envelope is refused; `known` says whether the event also matches the spec's schema
// for its type. Runs on any JavaScript runtime (no `node:*` import).
import type { components } from "../../generated/api.js";
import { isUuidFormat } from "../uuid.js";
import { WebhookVerificationError } from "./errors.js";

export type SessionEvent = components["schemas"]["SessionEvent"];
export type PingEvent = components["schemas"]["PingEvent"];
export type SessionEventType = components["schemas"]["SessionEventType"];
/** A delivery the spec describes (`session.*` or `ping`), typed from the spec's schemas. */
export type KnownWebhookEvent = SessionEvent | PingEvent;
/** Every event type the spec lists. */
export type KnownWebhookEventType = KnownWebhookEvent["type"];
/**
 * What every verified delivery body is, whatever its type, including types this package does not know yet:
 * the spec's envelope, except that only `type`, `id` and `data` are checked (`created_at` is passed on as
 * sent).
 */
export type WebhookEventEnvelope = Omit<components["schemas"]["WebhookEventEnvelope"], "created_at"> & {
  created_at?: unknown;
};

/** The parsed event, with `known` telling whether `event` matches the spec's schema for its type. */
export type ParsedWebhookEvent =
  | { known: true; event: KnownWebhookEvent }
  | { known: false; event: WebhookEventEnvelope };

/**
 * Whether `name` is a type the spec lists for session events. A switch, not a lookup table: each delivery's
 * type is a fresh string, which a table must hash first (measured ten times dearer).
 */
function isSessionEventType(name: SessionEventType): boolean {
  switch (name) {
    case "session.awaiting_tool_results":
    case "session.completed":
    case "session.failed":
    case "session.idle":
    case "session.status_updated":
    case "session.timed_out":
      return true;
    default:
      // Every member of the generated union has its case: a type added to the spec fails compilation here.
      name satisfies never;
      return false;
  }
}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);
// Fields are read as own properties only (`Object.hasOwn(o, "k") ? o.k : undefined`): a name polluted onto
// Object.prototype elsewhere in the app must not fill a missing field. Spelled out with literal keys rather
// than through a helper taking the key: a named load the engine caches per site (measured).

// Stateless when not streaming, so one instance serves every call. Refuses bytes that are not UTF-8, as JSON
// (RFC 8259) requires; keeps a byte order mark, which JSON.parse then refuses.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes an already verified body and checks it is an event envelope (`type`, `id` and `data`); whether it
 * also matches the spec is {@link isKnownEvent}'s question. Throws `invalid_payload`, carrying the secret that
 * matched.
 */
export function parseEventEnvelope(body: string | Uint8Array, secretIndex: number): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(typeof body === "string" ? body : UTF8.decode(body));
  } catch (error) {
    throw notAnEvent(
      `the body is not ${error instanceof SyntaxError ? "JSON" : "UTF-8 text"}.`,
      secretIndex,
      error,
    );
  }
  if (!isObject(value))
    throw notAnEvent("the body is not a JSON object, so it is not an event envelope.", secretIndex);
  if (typeof (Object.hasOwn(value, "type") ? value.type : undefined) !== "string")
    throw notAnEvent('its "type" is not a string, so it is not an event envelope.', secretIndex);
  if (typeof (Object.hasOwn(value, "id") ? value.id : undefined) !== "string")
    throw notAnEvent('its "id" is not a string, so it is not an event envelope.', secretIndex);
  if (!isObject(Object.hasOwn(value, "data") ? value.data : undefined))
    throw notAnEvent('its "data" is not a JSON object, so it is not an event envelope.', secretIndex);
  return value;
}

// A module function rather than a closure in the parse: one fewer allocation per verified delivery.
function notAnEvent(detail: string, secretIndex: number, cause?: unknown): WebhookVerificationError {
  return new WebhookVerificationError(
    "invalid_payload",
    `The signature is valid, but ${detail} The delivery is authentic: answer 2xx if you want no retries.`,
    { secretIndex, cause },
  );
}

/**
 * True when the envelope matches the spec's schema for its type (`SessionEvent` or `PingEvent`, formats
 * included). The rules are the spec's, written out here because the package has no runtime schema validator;
 * a test checks them against Ajv and the bundled spec.
 */
export function isKnownEvent(event: JsonObject): boolean {
  const data = event.data as JsonObject;
  const createdAt = Object.hasOwn(event, "created_at") ? event.created_at : undefined;
  if (typeof createdAt !== "string" || !isDateTime(createdAt)) return false;
  if (event.type === "ping") {
    const webhookId = Object.hasOwn(data, "webhook_id") ? data.webhook_id : undefined;
    return isUuidFormat(webhookId);
  }
  const previous = Object.hasOwn(data, "previous_status") ? data.previous_status : undefined;
  return (
    isSessionEventType(event.type as SessionEventType) &&
    typeof (Object.hasOwn(data, "session_id") ? data.session_id : undefined) === "string" &&
    typeof (Object.hasOwn(data, "status") ? data.status : undefined) === "string" &&
    (previous === null || typeof previous === "string")
  );
}

// JSON Schema's `date-time` format as Ajv's ajv-formats checks them (RFC 4122 and RFC 3339 with
// Ajv's leniencies: a space or lowercase `t` between date and time, `+hh` or `+hhmm` offsets).
// Positions are fixed up to the seconds: YYYY-MM-DDTHH:MM:SS, then an optional fraction and the offset.
const DATE_TIME = /^\d\d\d\d-\d\d-\d\d[Tt\s]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d(?::?\d\d)?)$/;
const OFFSET = /([+-])(\d\d):?(\d\d)?$/;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written by the two ASCII digits at `at` (the pattern has checked they are digits). */
const twoDigits = (text: string, at: number) =>
  (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;

function isDateTime(text: string): boolean {
  if (!DATE_TIME.test(text)) return false;
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month] as number))
  )
    return false;
  const offset = text.endsWith("Z") || text.endsWith("z") ? null : OFFSET.exec(text);
  const offsetHours = offset === null ? 0 : Number(offset[2]);
  const offsetMinutes = offset === null ? 0 : Number(offset[3] ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) return false;
  if (hour <= 23 && minute <= 59 && second <= 59) return true;
  // A leap second: 23:59:60 in UTC, whatever the offset.
  const direction = offset?.[1] === "-" ? -1 : 1;
  const utcMinute = minute - offsetMinutes * direction;
  const utcHour = hour - offsetHours * direction - (utcMinute < 0 ? 1 : 0);
  return (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second === 60;
}
