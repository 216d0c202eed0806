// The official SDK's model shapes for what the API returns: camelCase properties, `Date` for RFC 3339 date-times,
// `null` kept where the wire has `null`. The wire (and the raw client) stays snake_case.
//
// Nothing here lists a field by hand. scripts/generate-models.mjs reads the spec and writes generated/models.ts:
// each returned schema's properties, their camelCase names and which are date-times. The types below map the
// generated wire types (generated/api.ts) through that data, and the conversion walks the same data, so a property
// added to the spec reaches both with `npm run generate`, and `npm test` fails while either file is stale.
import type { components } from "../generated/api.js";
import { MODEL_FIELDS } from "../generated/models.js";

type ModelName = keyof typeof MODEL_FIELDS;
type Field<S extends ModelName> = (typeof MODEL_FIELDS)[S][number];
type Wire<S extends ModelName> = components["schemas"][S];

/** `last_success_at` → `lastSuccessAt`: the generator's naming rule, at the type level (checked to agree below). */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

type DateTimeWire<S extends ModelName> = Extract<Field<S>, { dateTime: true }>["wire"];
/** `string` → `Date`, leaving `null` (and `undefined` of an optional field) as they are. */
type AsDate<T> = T extends string ? Date : T;

/** A wire schema as a model: same properties (optional, readonly and documented as on the wire), renamed. */
type Model<S extends ModelName> = {
  [K in keyof Wire<S> as K extends string ? CamelCase<K> : never]: K extends DateTimeWire<S>
    ? AsDate<Wire<S>[K]>
    : Wire<S>[K];
};

// Compile-time proof that the generated data and the types describe the same properties under the same names:
// if the two ever disagree, `Agrees` is not `true` and this file stops compiling here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Agrees = {
  [S in ModelName]: Same<Field<S>["wire"], keyof Wire<S>> extends true
    ? Same<Field<S>["name"], keyof Model<S>>
    : false;
}[ModelName];
type AssertTrue<T extends true> = T;
type _ModelsAgree = AssertTrue<Agrees>;

/** A webhook as reads return it (upstream `WebhookRecord`): never with its secret. */
export type Webhook = Model<"Webhook">;
/** A webhook with its new signing secret, as rotate (and create) return it: shown once, store it at once. */
export type WebhookWithSecret = Model<"WebhookWithSecret">;
/** The outcome of a ping: `responseStatus` is the HTTP status the receiver answered with. */
export type WebhookPingResult = Model<"WebhookPingResult">;

/**
 * Converts one wire object. Properties the spec does not list are left out (the raw client keeps them). A date-time
 * string becomes a `Date` even when it does not parse (an Invalid Date, `Number.isNaN(date.getTime())`): conversion
 * never throws, so a malformed timestamp can never cost the caller the secret that rotate returned beside it.
 */
function toModel<S extends ModelName>(schema: S, wire: Wire<S>): Model<S> {
  const source = wire as unknown as Record<string, unknown>;
  const model: Record<string, unknown> = {};
  for (const field of MODEL_FIELDS[schema] as ReadonlyArray<Field<ModelName>>) {
    if (!Object.hasOwn(source, field.wire)) continue;
    const value = source[field.wire];
    model[field.name] = field.dateTime && typeof value === "string" ? new Date(value) : value;
  }
  return model as Model<S>;
}

export function toWebhook(wire: components["schemas"]["Webhook"]): Webhook {
  return toModel("Webhook", wire);
}

export function toWebhookWithSecret(wire: components["schemas"]["WebhookWithSecret"]): WebhookWithSecret {
  return toModel("WebhookWithSecret", wire);
}

export function toWebhookPingResult(wire: components["schemas"]["WebhookPingResult"]): WebhookPingResult {
  return toModel("WebhookPingResult", wire);
}
