// The verified body as a typed event: the spec's known events, or any other type in the common envelope.
import type { components, webhooks } from "../../generated/api.js";
import { WebhookVerificationError } from "./errors.js";

/** A delivery the spec describes (`session.*` or `ping`), typed from the spec's `webhooks` section. */
export type KnownWebhookEvent =
  webhooks["webhookDelivery"]["post"]["requestBody"]["content"]["application/json"];
/** The shape every delivery body has, whatever its type, including types this package does not know yet. */
export type WebhookEventEnvelope = components["schemas"]["WebhookEventEnvelope"];
export type SessionEvent = components["schemas"]["SessionEvent"];
export type PingEvent = components["schemas"]["PingEvent"];
export type SessionEventType = components["schemas"]["SessionEventType"];
/** Every event type the spec lists. */
export type KnownWebhookEventType = KnownWebhookEvent["type"];

// A Record over the generated union: adding an event type to the spec fails compilation here until it is listed.
const SESSION_EVENT_TYPES: Record<SessionEventType, true> = {
  "session.awaiting_tool_results": true,
  "session.completed": true,
  "session.failed": true,
  "session.idle": true,
  "session.status_updated": true,
  "session.timed_out": true,
};

/** The parsed event, with `known` telling whether `event` is one of the spec's types (and `event.type` narrows). */
export type ParsedWebhookEvent =
  | { known: true; event: KnownWebhookEvent }
  | { known: false; event: WebhookEventEnvelope };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const has = (record: Record<string, unknown>, key: string): boolean => Object.hasOwn(record, key);

// Stateless when not streaming, so one instance serves every call. Refuses bytes that are not UTF-8.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes and checks an already verified body. Throws `invalid_payload`, carrying the secret that matched. */
export function parseWebhookEvent(body: string | Uint8Array, secretIndex: number): ParsedWebhookEvent {
  const fail = (detail: string, cause?: unknown): never => {
    throw new WebhookVerificationError("invalid_payload", `The signature is valid, but ${detail}`, {
      secretIndex,
      cause,
    });
  };
  let value: unknown;
  try {
    value = JSON.parse(typeof body === "string" ? body : UTF8.decode(body));
  } catch (error) {
    fail(`the body is not ${error instanceof SyntaxError ? "JSON" : "valid UTF-8"}.`, error);
  }
  if (!isRecord(value)) return fail("the body is not a JSON object.");
  for (const key of ["type", "id", "created_at"]) {
    if (typeof value[key] !== "string") fail(`its "${key}" is not a string.`);
  }
  if (value.type === "") fail('its "type" is empty.');
  if (!isRecord(value.data)) fail('its "data" is not an object.');
  const event = value as WebhookEventEnvelope;
  const data = event.data;
  if (has(SESSION_EVENT_TYPES, event.type)) {
    const fine =
      typeof data.session_id === "string" &&
      typeof data.status === "string" &&
      (data.previous_status === null || typeof data.previous_status === "string");
    if (!fine)
      fail(
        `its "${event.type}" data lacks a string session_id and status, or previous_status is not a string or null.`,
      );
    return { known: true, event: event as SessionEvent };
  }
  if (event.type === "ping") {
    if (typeof data.webhook_id !== "string") fail('its "ping" data lacks a string webhook_id.');
    return { known: true, event: event as PingEvent };
  }
  return { known: false, event };
}
