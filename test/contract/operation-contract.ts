// What the bundled spec says about one operation's responses: documented statuses, media types, and an
// Ajv 2020 validator per (status, media type), compiled from the schemas in the spec, never from code.
import type { ValidateFunction } from "ajv/dist/2020.js";
import { createAjv } from "../support/ajv.js";
import type { Json } from "../support/spec.js";

export interface OperationContract {
  /** e.g. "POST /api/v2/webhooks/{webhook_id}/rotate". */
  label: string;
  operationId: string;
  /** Upper-case. */
  method: string;
  path: string;
  statuses: string[];
  mediaTypes(status: string): string[];
  validator(status: string, mediaType: string): ValidateFunction;
  /** Whether the schema for (status, media type) declares a `secret` property anywhere. */
  declaresSecret(status: string, mediaType: string): boolean;
  /** The value of the response example named `name` (first example when omitted). */
  example(status: string, name?: string): unknown;
}

type MediaObject = { schema?: Json; examples?: Record<string, { value?: unknown }> };
type ResponseObject = { content?: Record<string, MediaObject> };

function hasSecretProperty(schema: unknown, seen = new Set<unknown>()): boolean {
  if (typeof schema !== "object" || schema === null || seen.has(schema)) return false;
  seen.add(schema);
  const properties = (schema as { properties?: Json }).properties;
  if (properties && "secret" in properties) return true;
  return Object.values(schema).some((value) => hasSecretProperty(value, seen));
}

export function operationContract(spec: Json, path: string, method: string): OperationContract {
  const operation = ((spec.paths as Json | undefined)?.[path] as Json | undefined)?.[method] as
    | { operationId?: string; responses?: Record<string, ResponseObject> }
    | undefined;
  if (!operation?.responses) throw new Error(`The spec has no ${method.toUpperCase()} ${path}.`);
  const responses = operation.responses;
  const ajv = createAjv();
  const compiled = new Map<string, ValidateFunction>();
  const media = (status: string, mediaType: string): MediaObject => {
    const found = responses[status]?.content?.[mediaType];
    if (!found) throw new Error(`The spec documents no ${mediaType} body for ${status}.`);
    return found;
  };

  return {
    label: `${method.toUpperCase()} ${path}`,
    operationId: operation.operationId ?? `${method} ${path}`,
    method: method.toUpperCase(),
    path,
    statuses: Object.keys(responses),
    mediaTypes: (status) => Object.keys(responses[status]?.content ?? {}),
    validator(status, mediaType) {
      const key = `${status} ${mediaType}`;
      let validate = compiled.get(key);
      if (!validate) {
        validate = ajv.compile(media(status, mediaType).schema ?? {});
        compiled.set(key, validate);
      }
      return validate;
    },
    declaresSecret: (status, mediaType) => hasSecretProperty(media(status, mediaType).schema),
    example(status, name) {
      const [mediaType] = Object.keys(responses[status]?.content ?? {});
      const examples = mediaType ? (media(status, mediaType).examples ?? {}) : {};
      const chosen = name ?? Object.keys(examples)[0];
      if (chosen === undefined || !(chosen in examples))
        throw new Error(`No example ${name ?? ""} for ${status}.`);
      return examples[chosen]?.value;
    },
  };
}

const METHODS = ["get", "put", "post", "delete", "patch"];

/** Every operation of the spec, in the spec's order. */
export function operationContracts(spec: Json): OperationContract[] {
  return Object.entries((spec.paths as Record<string, Json> | undefined) ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => method in item).map((method) => operationContract(spec, path, method)),
  );
}
