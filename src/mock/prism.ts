// Prism used as a library, and only for what it is good at: loading the spec's operations, reading the
// `Prefer` header, and choosing a documented example (or a dynamic body) for a status. Every rule about
// the request itself (CORS, limits, routing, auth, ids) lives in server.ts, before Prism is asked.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "@stoplight/prism-core";
import type { PrismHttpComponents } from "@stoplight/prism-http";
import { getHttpOperationsFromSpec, ProblemJsonError } from "@stoplight/prism-http";
import prismMockModule from "@stoplight/prism-http/dist/mocker/index.js";
import { getHttpConfigFromRequest } from "@stoplight/prism-http-server/dist/getHttpConfigFromRequest.js";

// Types of the Prism packages, derived from their public exports so that no transitive package
// (@stoplight/types, fp-ts) has to be imported directly.
export type HttpOperation = Awaited<ReturnType<typeof getHttpOperationsFromSpec>>[number];
type MockComponent = PrismHttpComponents["mock"];
/** The request as Prism sees it (method, path, query, headers). */
export type PrismRequest = Parameters<MockComponent>[0]["input"]["data"];

// A CommonJS module with `exports.default`: under NodeNext the import binds to module.exports.
const prismMock: MockComponent = prismMockModule.default;
// Prism's mocker logs every request through pino; we log one line per request ourselves (server.ts).
const silent = createLogger("mock", { level: "silent" });

/** What the mock sends back: a status, headers, and a JSON value (or text) for the body. */
export interface MockAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** An RFC 9457 problem body, the shape Prism uses for its own errors, so all of them look alike. */
export function problem(status: number, title: string, detail: string): MockAnswer {
  return {
    status,
    headers: { "content-type": "application/problem+json" },
    body: { type: "about:blank", title, status, detail },
  };
}

// ---------------------------------------------------------------------------------------------------
// The spec

/** Path of the spec inside the package. */
const SPEC_RELATIVE_PATH = join("openapi", "openapi.yaml");

class SpecNotFoundError extends Error {
  override readonly name = "SpecNotFoundError";
}

/**
 * Walks up from `start` to the first folder that contains `openapi/openapi.yaml`, and returns that file.
 * The package root, not the working directory: `npm start`, the compiled CLI (dist/src/mock/cli.js) and
 * tests importing the TypeScript source all sit at different depths.
 */
export function findSpec(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let folder = start;
  for (;;) {
    const candidate = join(folder, SPEC_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) {
      throw new SpecNotFoundError(
        `Cannot find ${SPEC_RELATIVE_PATH} in ${start} or any folder above it. Run the mock from a checkout ` +
          "of this package (the spec ships in its openapi/ folder).",
      );
    }
    folder = parent;
  }
}

/** The spec's operations, checked once at start-up against what the mock will generate. */
export async function loadOperations(specPath: string): Promise<HttpOperation[]> {
  const operations = await getHttpOperationsFromSpec(specPath);
  for (const operation of operations) {
    assertFreshSecretsMatch(
      operation.responses.flatMap((r) => r.contents ?? []).flatMap((c) => secretPatterns(c.schema)),
    );
  }
  return operations;
}

/** For each path parameter that has examples in the spec, the example values: the ids the mock "has". */
export function documentedPathValues(operation: HttpOperation): Array<{ name: string; values: string[] }> {
  return (operation.request?.path ?? [])
    .map((parameter) => ({
      name: parameter.name,
      values: (parameter.examples ?? [])
        .map((example) => ("value" in example ? example.value : undefined))
        .filter((value): value is string => typeof value === "string"),
    }))
    .filter((parameter) => parameter.values.length > 0);
}

export const documentedCodes = (operation: HttpOperation): string[] =>
  operation.responses.map((response) => response.code);

function exampleKeys(operation: HttpOperation, code: string): string[] {
  const response = operation.responses.find((candidate) => candidate.code === code);
  return (response?.contents ?? []).flatMap((content) =>
    (content.examples ?? []).map((example) => example.key),
  );
}

// ---------------------------------------------------------------------------------------------------
// Fresh signing secrets for dynamic responses.
//
// Prism's schema faker builds strings from the `secret` pattern character by character: it mixes the
// base64 and base64url alphabets in one value and pads odd lengths with `==`, which no real key looks
// like. A real secret is random bytes in one encoding, so that is what we generate: 32 bytes (256 bits,
// the HMAC-SHA256 key size) as unpadded base64url, 43 characters after the prefix.

const SECRET_PREFIX = "whsec_";

export function freshSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64url");
}

/** Thrown at start-up when the spec's `secret` pattern would reject what `freshSecret` generates. */
export class SecretPatternMismatchError extends Error {
  override readonly name = "SecretPatternMismatchError";
}

/** Every `pattern` declared for a property named `secret`, anywhere in a (dereferenced) schema. */
export function secretPatterns(schema: unknown, found: string[] = [], seen = new Set<unknown>()): string[] {
  if (typeof schema !== "object" || schema === null || seen.has(schema)) return found;
  seen.add(schema);
  const properties = (schema as { properties?: Record<string, unknown> }).properties;
  const secret = properties?.secret as { pattern?: unknown } | undefined;
  if (typeof secret?.pattern === "string") found.push(secret.pattern);
  for (const value of Object.values(schema)) secretPatterns(value, found, seen);
  return found;
}

/** Fails fast if the spec and the generator disagree, rather than serving secrets the contract forbids. */
export function assertFreshSecretsMatch(patterns: readonly string[]): void {
  const sample = freshSecret();
  for (const pattern of patterns) {
    if (!new RegExp(pattern).test(sample)) {
      throw new SecretPatternMismatchError(
        `The spec's secret pattern ${pattern} rejects generated secrets such as ${SECRET_PREFIX}<43 base64url ` +
          "characters>. Align the pattern in openapi/ or the generator in src/mock/prism.ts.",
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Prefer negotiation

export interface Preferences {
  code?: number;
  exampleKey?: string;
  dynamic?: boolean;
}

/** `Prefer: code=404, example=..., dynamic=true` (or `?__code=404`), read with Prism's own parser. */
export function readPreferences(request: PrismRequest): Preferences | MockAnswer {
  const parsed = getHttpConfigFromRequest(request);
  if (parsed._tag === "Left") return problemFromPrism(parsed.left);
  const { code, exampleKey, dynamic } = parsed.right;
  return { code, exampleKey, dynamic };
}

const badRequest = (detail: string) => problem(400, "Bad Request", detail);

/**
 * Why a `Prefer` request cannot be served from the spec, or undefined when it can. Prism alone answers
 * 404 here, which is easy to mistake for "webhook not found"; a 400 that lists what exists is clearer.
 */
export function undocumentedPreference(
  operation: HttpOperation,
  prefer: Preferences,
): MockAnswer | undefined {
  const codes = documentedCodes(operation);
  const { code, exampleKey } = prefer;
  if (code !== undefined && !codes.includes(String(code))) {
    return badRequest(
      `This operation documents no ${code} response, so the mock cannot produce one. ` +
        `Documented statuses: ${codes.join(", ")}.`,
    );
  }
  if (exampleKey === undefined) return undefined;
  const status = code !== undefined ? String(code) : codes.filter((c) => /^2\d\d$/.test(c)).sort()[0];
  const keys = status === undefined ? [] : exampleKeys(operation, status);
  if (keys.includes(exampleKey)) return undefined;
  const elsewhere = codes.find((candidate) => exampleKeys(operation, candidate).includes(exampleKey));
  const hint = elsewhere
    ? ` "${exampleKey}" belongs to the ${elsewhere} response: send Prefer: code=${elsewhere}, example=${exampleKey}.`
    : "";
  return badRequest(
    `The ${status ?? "success"} response has no example named "${exampleKey}". ` +
      `Its examples: ${keys.join(", ") || "none"}.${hint}`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Answers from the spec's examples

function problemFromPrism(error: Error): MockAnswer {
  if (error instanceof ProblemJsonError) {
    return {
      status: error.status,
      headers: { "content-type": "application/problem+json" },
      body: ProblemJsonError.toProblemJson(error),
    };
  }
  throw error; // not a negotiation outcome: the server turns it into a 500
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * What a real rotation returns: the same webhook, a new secret, `updated_at` now, and the path's id as
 * `id`. Error bodies and bodies without a secret stay the documented examples.
 */
function withFreshSecret(body: unknown, webhookId: string | undefined): unknown {
  if (!isObject(body) || typeof body.secret !== "string") return body;
  // The example object belongs to the loaded spec: copy it, never mutate it.
  const rotated: Json = {
    ...body,
    secret: freshSecret(),
    updated_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
  if (webhookId !== undefined && typeof body.id === "string") rotated.id = webhookId;
  return rotated;
}

/**
 * The spec's answer for `operation`: the documented example for `prefer.code` (or the success status),
 * as Prism negotiates it from the `Prefer` preferences and the Accept header. With `prefer.dynamic`, a
 * 2xx that carries a secret gets a fresh one instead of the example's (never faker noise).
 */
export function exampleAnswer(
  operation: HttpOperation,
  request: PrismRequest,
  prefer: Preferences,
  webhookId?: string,
): MockAnswer {
  const config = { dynamic: false, code: prefer.code, exampleKey: prefer.exampleKey };
  const result = prismMock({ resource: operation, input: { data: request, validations: [] }, config })(
    silent,
  );
  if (result._tag === "Left") return problemFromPrism(result.left);
  const { statusCode, headers, body } = result.right;
  const answer: MockAnswer = { status: statusCode, headers: { ...headers }, body };
  if (prefer.dynamic && statusCode < 300) answer.body = withFreshSecret(body, webhookId);
  return answer;
}

// ---------------------------------------------------------------------------------------------------
// The 422 for an id that is not a UUID: the documented body, about the value actually sent

/** Why `value` is not a UUID, in the words of the API's validator (pydantic), for the 422 body. */
export function uuidParsingError(value: string): string {
  const bad = [...value].findIndex((char) => !/[0-9a-fA-F-]/.test(char));
  if (bad >= 0) {
    const found = [...value][bad];
    return `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${found}\` at ${bad + 1}`;
  }
  const groups = value.split("-");
  if (groups.length === 1)
    return `invalid length: expected length 32 for simple format, found ${value.length}`;
  if (groups.length !== 5) return `invalid group count: expected 5, found ${groups.length}`;
  const lengths = [8, 4, 4, 4, 12];
  const group = groups.findIndex((part, index) => part.length !== lengths[index]);
  return `invalid group length in group ${group}: expected ${lengths[group]}, found ${groups[group]?.length}`;
}

/** The documented 422 body with its first issue rewritten for the value actually sent. */
export function namingTheValue(answer: MockAnswer, name: string, value: string): MockAnswer {
  const body = answer.body as { detail?: unknown } | undefined;
  const [first, ...rest] = Array.isArray(body?.detail) ? (body.detail as Array<Record<string, unknown>>) : [];
  if (first === undefined) return answer;
  const error = uuidParsingError(value);
  const issue: Record<string, unknown> = {
    ...first,
    loc: ["path", name],
    msg: `Input should be a valid UUID, ${error}`,
    input: value,
  };
  if (typeof first.ctx === "object" && first.ctx !== null) issue.ctx = { ...first.ctx, error };
  return { ...answer, body: { ...body, detail: [issue, ...rest] } };
}
