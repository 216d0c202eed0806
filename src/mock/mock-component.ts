// The mock component Prism calls once a request is routed and validated. It keeps Prism's negotiation
// (Prefer headers, documented 401/422 bodies, examples) and adds what the CLI cannot do:
//  - a well-formed id that is not the spec's example is a 404 with the documented body, no header needed;
//  - asking for a status or example the spec does not have is a 400 that says what exists, instead of
//    Prism's 404 (easy to mistake for "webhook not found");
//  - dynamic 200s are the example with a freshly generated secret (see fresh-secret.ts), not faker noise;
//  - a stray request body on an operation without one is ignored, as the API does;
//  - anything thrown here becomes a 500 problem+json: Prism never answers if its mock component throws.

import { ProblemJsonError } from "@stoplight/prism-http";
import prismMockModule from "@stoplight/prism-http/dist/mocker/index.js";
import { pathParameters, undocumentedPathValue } from "./documented-ids.js";
import { freshSecret } from "./fresh-secret.js";
import type {
  HttpOperation,
  MockArguments,
  MockComponent,
  MockLogger,
  MockResponse,
  MockResult,
} from "./prism-types.js";

// A CommonJS module with `exports.default`: under NodeNext the import binds to module.exports.
const prismMock: MockComponent = prismMockModule.default;

// fp-ts Either values are plain tagged objects; building them here avoids importing fp-ts.
const left = (error: Error): MockResult => ({ _tag: "Left", left: error });

// DiagnosticSeverity.Error in @stoplight/types.
const SEVERITY_ERROR = 0;

function badRequest(detail: string): ProblemJsonError {
  return new ProblemJsonError("about:blank", "Bad Request", 400, detail);
}

function documentedCodes(operation: HttpOperation): string[] {
  return operation.responses.map((response) => response.code);
}

function exampleKeys(operation: HttpOperation, code: string): string[] {
  const response = operation.responses.find((candidate) => candidate.code === code);
  return (response?.contents ?? []).flatMap((content) =>
    (content.examples ?? []).map((example) => example.key),
  );
}

function defaultSuccessCode(operation: HttpOperation): string | undefined {
  return documentedCodes(operation)
    .filter((code) => /^2\d\d$/.test(code))
    .sort()[0];
}

/** Why a `Prefer` request cannot be served from the spec, or undefined when it can. */
function undocumentedPreference(
  operation: HttpOperation,
  code: number | undefined,
  exampleKey: string | undefined,
) {
  const codes = documentedCodes(operation);
  if (code !== undefined && !codes.includes(String(code))) {
    return badRequest(
      `This operation documents no ${code} response, so the mock cannot produce one. ` +
        `Documented statuses: ${codes.join(", ")}.`,
    );
  }
  if (exampleKey === undefined) return undefined;
  const status = code !== undefined ? String(code) : defaultSuccessCode(operation);
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

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** What a real rotation returns: the same webhook, a new secret, `updated_at` now. */
function freshRotation(response: MockResponse, operation: HttpOperation, path: string): MockResponse {
  const body = response.body;
  if (!isObject(body) || typeof body.secret !== "string") return response;
  // The example object belongs to the loaded spec: copy it, never mutate it.
  const rotated: Json = {
    ...body,
    secret: freshSecret(),
    updated_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
  // The one path parameter names the webhook (`webhook_id`): echo it as the body's `id`.
  const parameters = Object.values(pathParameters(operation.path, path) ?? {});
  if (parameters.length === 1 && typeof body.id === "string") rotated.id = parameters[0];
  return { ...response, body: rotated };
}

// Prism rejects any non-empty body on an operation that declares none (code 415), then answers with the
// documented 422, whose example blames the UUID. The API itself ignores a stray body (clients such as
// axios send `{}` by habit), so the mock does too. Malformed JSON never gets here: it is a 400 earlier.
function isStrayBody(
  validation: MockArguments["input"]["validations"][number],
  operation: HttpOperation,
): boolean {
  return validation.code === 415 && operation.request?.body === undefined;
}

function respond({ resource, input, config }: MockArguments, logger: MockLogger): MockResult {
  const validations = input.validations.filter((validation) => !isStrayBody(validation, resource));
  input = { ...input, validations };
  const requestIsValid = !validations.some((validation) => validation.severity === SEVERITY_ERROR);
  // Invalid requests (no token, non-UUID id) get Prism's choice: the documented 401 or 422.
  if (!requestIsValid) return prismMock({ resource, input, config: { ...config, dynamic: false } })(logger);

  const refusal = undocumentedPreference(resource, config.code, config.exampleKey);
  if (refusal) return left(refusal);

  let code = config.code;
  const explicit = code !== undefined || config.exampleKey !== undefined;
  const hasNotFound = documentedCodes(resource).includes("404");
  if (!explicit && hasNotFound && undocumentedPathValue(resource, input.data.url.path)) code = 404;

  // Error bodies stay the documented examples even in dynamic mode; only a 2xx gets a fresh secret.
  const result = prismMock({ resource, input, config: { ...config, code, dynamic: false } })(logger);
  if (result._tag === "Right" && config.dynamic && result.right.statusCode < 300) {
    return { _tag: "Right", right: freshRotation(result.right, resource, input.data.url.path) };
  }
  return result;
}

export function createMockComponent(): MockComponent {
  return (args) => (logger) => {
    try {
      return respond(args, logger);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return left(
        new ProblemJsonError(
          "about:blank",
          "Internal Server Error",
          500,
          `The mock server failed on this request (${reason}). The server is still running; please report ` +
            "the request that caused this.",
        ),
      );
    }
  };
}
