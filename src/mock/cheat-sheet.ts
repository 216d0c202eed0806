// The text `npm start` prints: where the mock listens and, per operation, a curl line for every
// documented status. Ids, statuses and example names are read from the loaded spec.
import { documentedPathValues } from "./documented-ids.js";
import type { HttpOperation } from "./prism-types.js";

/** A well-formed UUID that is deliberately not a documented example: the mock answers 404 for it. */
export const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
const SAMPLE_TOKEN = "hk-test";

export interface CheatSheetInput {
  url: string;
  specPath: string;
  title: string;
  version: string;
  dynamic: boolean;
  operations: readonly HttpOperation[];
}

function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
}

/** A value the spec calls invalid for a path parameter: the `input` of the 422 example if it has one. */
function invalidPathValue(operation: HttpOperation): string {
  for (const content of operation.responses.find((r) => r.code === "422")?.contents ?? []) {
    for (const example of content.examples ?? []) {
      const detail =
        "value" in example ? (example.value as { detail?: Array<{ input?: unknown }> }).detail : undefined;
      const input = Array.isArray(detail) ? detail[0]?.input : undefined;
      if (typeof input === "string" && /^[\w.-]+$/.test(input)) return input; // safe to paste into a path
    }
  }
  return "not-a-uuid";
}

function operationSection(operation: HttpOperation, url: string): string[] {
  const method = operation.method.toUpperCase();
  const documented = documentedPathValues(operation);
  const known = Object.fromEntries(documented.map(({ name, values }) => [name, values[0] ?? ""]));
  const unknown = Object.fromEntries(documented.map(({ name }) => [name, UNKNOWN_ID]));
  const invalid = Object.fromEntries(documented.map(({ name }) => [name, invalidPathValue(operation)]));
  const secured = (operation.security ?? []).length > 0;
  const auth = secured ? ` -H "Authorization: Bearer ${SAMPLE_TOKEN}"` : "";
  const curl = (values: Record<string, string>, extra = auth) =>
    `curl -X ${method} ${url}${fillPath(operation.path, values)}${extra}`;

  const lines = [`${method} ${operation.path}${operation.iid ? `  (${operation.iid})` : ""}`];
  for (const { name, values } of documented) {
    lines.push(`  Documented ${name}: ${values.join(", ")}  (any other well-formed value answers 404)`);
  }
  lines.push("");
  const codes = operation.responses.map((response) => response.code);
  for (const code of codes) {
    let command: string;
    if (/^2\d\d$/.test(code)) command = curl(known);
    else if (code === "401" && secured) command = `${curl(known, "")}            # no Authorization header`;
    else if (code === "404" && documented.length > 0) command = curl(unknown);
    else if (code === "422" && documented.length > 0) command = curl(invalid);
    else command = `${curl(known)} -H "Prefer: code=${code}"`;
    lines.push(`  ${code}  ${command}`);
  }
  const success = operation.responses.find((response) => /^2\d\d$/.test(response.code));
  const otherExamples = (success?.contents ?? [])
    .flatMap((c) => (c.examples ?? []).map((e) => e.key))
    .slice(1);
  const firstError = codes.find((code) => !/^2\d\d$/.test(code));
  lines.push("");
  if (firstError)
    lines.push(
      `  Any documented status on demand:  -H "Prefer: code=${firstError}"   (or ?__code=${firstError})`,
    );
  for (const key of otherExamples)
    lines.push(`  Another ${success?.code} example:  -H "Prefer: example=${key}"`);
  return lines;
}

export function renderCheatSheet(input: CheatSheetInput): string {
  const lines = [
    `Mock server for "${input.title}" ${input.version}, powered by Prism`,
    `  Listening on ${input.url}   (Ctrl-C to stop)`,
    `  Spec: ${input.specPath}`,
    "",
  ];
  for (const operation of input.operations) lines.push(...operationSection(operation, input.url), "");
  lines.push(
    `  Fresh secret per call:  -H "Prefer: dynamic=true"   (currently ${input.dynamic ? "on for every call (--dynamic)" : "off; start with --dynamic to make it the default"})`,
    "  CORS: any origin is allowed and preflight requests are answered.",
    "  Requests are logged below, one line each (headers are never printed).",
  );
  return lines.join("\n");
}
