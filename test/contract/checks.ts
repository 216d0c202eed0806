// The contract checks, as plain functions returning what is wrong. The contract tests run them against
// the mock or any provider; fake-provider.test.ts runs them against a deliberately broken server to prove
// each one reports what it should.
import type { OperationContract } from "./operation-contract.js";

export interface CapturedResponse {
  status: number;
  headers: Headers;
  bodyText: string;
}

export type CheckName =
  | "status"
  | "undocumented-status"
  | "content-type"
  | "json"
  | "schema"
  | "cors"
  /** A body carries a `secret` its schema does not declare: only rotate may return one. */
  | "secret"
  /** The typed client sorted the answer into the wrong side of `{ data, error }`. */
  | "client"
  /** A provider with the "spec-examples" extra answered something else than the spec's example. */
  | "example";

export interface Problem {
  check: CheckName;
  message: string;
  /** JSON pointer into the body ("" is the whole body), for schema problems. */
  pointer?: string;
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems
    .map(
      (p) =>
        `${p.check}${p.pointer !== undefined ? ` at ${p.pointer === "" ? "(body root)" : p.pointer}` : ""}: ${p.message}`,
    )
    .join("\n");
}

const mediaTypeOf = (headers: Headers) =>
  (headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

/** Checks one response against the contract, expecting `expectedStatus`. An empty list means it conforms. */
export function checkResponse(
  contract: OperationContract,
  response: CapturedResponse,
  expectedStatus: number,
): Problem[] {
  const problems: Problem[] = [];
  const status = String(response.status);
  if (!contract.statuses.includes(status)) {
    return [
      {
        check: "undocumented-status",
        message: `${contract.label} answered ${status}, which the spec does not document (documented: ${contract.statuses.join(", ")}).`,
      },
    ];
  }
  if (response.status !== expectedStatus) {
    problems.push({ check: "status", message: `expected ${expectedStatus}, got ${status}.` });
  }

  const documentedTypes = contract.mediaTypes(status);
  if (documentedTypes.length === 0) return problems;
  const mediaType = mediaTypeOf(response.headers);
  if (!documentedTypes.includes(mediaType)) {
    problems.push({
      check: "content-type",
      message: `Content-Type "${response.headers.get("content-type") ?? "(none)"}" for ${status}; the spec documents ${documentedTypes.join(", ")}.`,
    });
    return problems;
  }

  let body: unknown;
  try {
    body = JSON.parse(response.bodyText);
  } catch {
    problems.push({
      check: "json",
      message: `the ${status} body is not JSON: ${JSON.stringify(response.bodyText.slice(0, 80))}`,
    });
    return problems;
  }
  if (
    typeof body === "object" &&
    body !== null &&
    "secret" in body &&
    !contract.declaresSecret(status, mediaType)
  ) {
    problems.push({
      check: "secret",
      message: `the ${status} body carries a "secret", which its schema does not declare: only rotate may return one.`,
    });
  }
  const validate = contract.validator(status, mediaType);
  if (!validate(body)) {
    for (const error of validate.errors ?? []) {
      const detail = error.keyword === "additionalProperties" ? ` (${JSON.stringify(error.params)})` : "";
      problems.push({
        check: "schema",
        pointer: error.instancePath,
        message: `${error.message ?? error.keyword}${detail}`,
      });
    }
  }
  return problems;
}

/** Checks the answer to a CORS preflight for `method` with an Authorization header, from `origin`. */
export function checkPreflight(response: CapturedResponse, origin: string, method: string): Problem[] {
  const problems: Problem[] = [];
  if (response.status < 200 || response.status >= 300) {
    problems.push({ check: "cors", message: `the preflight got ${response.status}; browsers need a 2xx.` });
  }
  problems.push(...checkAllowOrigin(response, origin));
  const methods = (response.headers.get("access-control-allow-methods") ?? "").toUpperCase().split(/\s*,\s*/);
  if (!methods.includes(method) && !methods.includes("*")) {
    problems.push({ check: "cors", message: `Access-Control-Allow-Methods does not list ${method}.` });
  }
  // The Fetch standard never lets "*" cover Authorization: it must be named.
  const headers = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
  if (!headers.includes("authorization")) {
    problems.push({ check: "cors", message: "Access-Control-Allow-Headers does not name Authorization." });
  }
  return problems;
}

/** Checks that a browser page on `origin` may read the response. */
export function checkAllowOrigin(response: CapturedResponse, origin: string): Problem[] {
  const allowed = response.headers.get("access-control-allow-origin");
  if (allowed === origin || allowed === "*") return [];
  return [
    {
      check: "cors",
      message: `Access-Control-Allow-Origin is ${allowed === null ? "missing" : `"${allowed}"`}; ${origin} cannot read the response.`,
    },
  ];
}
