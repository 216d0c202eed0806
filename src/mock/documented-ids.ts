// Decides which path-parameter values "exist" in the mock: exactly the values the spec gives as the
// parameter's examples. Any other well-formed value is a resource the mock does not have.
import type { HttpOperation } from "./prism-types.js";

/** Values of the `{name}` segments of `template` in `path`, or undefined when the shapes differ. */
export function pathParameters(template: string, path: string): Record<string, string> | undefined {
  const expected = template.split("/");
  const actual = path.split("/");
  if (expected.length !== actual.length) return undefined;
  const values: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const value = actual[index] ?? "";
    const name = /^\{(.+)\}$/.exec(segment)?.[1];
    if (name === undefined) {
      if (segment !== value) return undefined;
      continue;
    }
    try {
      values[name] = decodeURIComponent(value);
    } catch {
      return undefined; // malformed %-escape: leave it to Prism's validation
    }
  }
  return values;
}

export interface DocumentedValue {
  name: string;
  values: string[];
}

/** For each path parameter that has examples in the spec, the example values. */
export function documentedPathValues(operation: HttpOperation): DocumentedValue[] {
  return (operation.request?.path ?? [])
    .map((parameter) => ({
      name: parameter.name,
      values: (parameter.examples ?? [])
        .map((example) => ("value" in example ? example.value : undefined))
        .filter((value): value is string => typeof value === "string"),
    }))
    .filter((parameter) => parameter.values.length > 0);
}

// UUIDs are case-insensitive: F47AC10B-... names the same webhook as f47ac10b-...
const sameValue = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The first path parameter whose value in `path` is not one of its documented examples, if any. */
export function undocumentedPathValue(
  operation: HttpOperation,
  path: string,
): { name: string; value: string } | undefined {
  const actual = pathParameters(operation.path, path);
  if (actual === undefined) return undefined;
  for (const { name, values } of documentedPathValues(operation)) {
    const value = actual[name];
    if (value !== undefined && !values.some((known) => sameValue(known, value))) return { name, value };
  }
  return undefined;
}
