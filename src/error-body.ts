// Turns whatever an error response carried into one safe line for an error message.
import type { ValidationIssue } from "./types.js";

// Anything that looks like a signing secret or an API key is masked before it can reach a message,
// in case a server or proxy echoes one back.
const CREDENTIAL = /\b(?:whsec_|hk-)[A-Za-z0-9+/=_-]+/g;
const MAX_LENGTH = 300;

export function redactCredentials(text: string): string {
  return text.replace(CREDENTIAL, "[redacted]");
}

const hasCredential = (text: unknown) => typeof text === "string" && new RegExp(CREDENTIAL.source).test(text);

/**
 * The transport error to attach as `cause`. Kept as is (it tells ECONNREFUSED from a TLS failure), unless
 * its text carries something credential-like: then a redacted stand-in keeps the diagnosis, not the key.
 */
export function safeCause(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const nested = (error as { cause?: unknown }).cause;
  const nestedText =
    nested instanceof Error ? `${nested.message} ${nested.stack ?? ""}` : String(nested ?? "");
  if (!hasCredential(error.message) && !hasCredential(error.stack) && !hasCredential(nestedText))
    return error;
  const standIn = new Error(redactCredentials(error.message));
  standIn.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(standIn, { code });
  return standIn;
}

/** A copy of a parsed body with every string passed through {@link redactCredentials}. */
export function redactBody(body: unknown, depth = 0): unknown {
  if (typeof body === "string") return redactCredentials(body);
  if (typeof body !== "object" || body === null || depth > 20) return body;
  if (Array.isArray(body)) return body.map((item) => redactBody(item, depth + 1));
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, redactBody(value, depth + 1)]));
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > MAX_LENGTH ? `${oneLine.slice(0, MAX_LENGTH)}…` : oneLine;
}

function isIssue(value: unknown): value is ValidationIssue {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return Array.isArray(entry.loc) && typeof entry.msg === "string" && typeof entry.type === "string";
}

/** The entries of a 422 body (`{"detail": [...]}`) that have the documented shape. */
export function validationIssues(body: unknown): ValidationIssue[] {
  if (typeof body !== "object" || body === null) return [];
  const detail = (body as Record<string, unknown>).detail;
  return Array.isArray(detail) ? detail.filter(isIssue) : [];
}

/**
 * One line describing an error body. Copes with the API's `{detail: string}`, its 422 list, the gateway's
 * `{message}` and with non-JSON text (an HTML page from a proxy, say). Returns "" when there is nothing useful.
 */
export function describeErrorBody(body: unknown): string {
  if (typeof body === "string") return clip(redactCredentials(body));
  if (typeof body !== "object" || body === null) return "";
  const record = body as Record<string, unknown>;
  const issues = validationIssues(body);
  if (issues.length > 0) {
    const lines = issues.map((issue) => `${issue.loc.join(".")}: ${issue.msg}`);
    return clip(redactCredentials(lines.join("; ")));
  }
  for (const key of ["detail", "message"] as const) {
    const value = record[key];
    if (typeof value === "string" && value.trim() !== "") return clip(redactCredentials(value));
  }
  return "";
}
