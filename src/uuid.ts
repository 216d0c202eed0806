// Every UUID rule of the package, in one leaf module with no imports, so that the client, the mock engine,
// the MSW handlers and the webhook helpers agree. Three rules, because three different parties judge ids:
// - the form the API issues and the client accepts (hyphenated, any letter case), the spec's `pattern`;
// - what the API's validator (pydantic) accepts in a path, and why it refuses the rest (the 422's words);
// - JSON Schema's `uuid` format as Ajv checks it in delivered events.

/** The `webhook_id` form the API issues: a hyphenated UUID. Same source as the spec's pattern (a unit test compares them). */
export const WEBHOOK_ID_PATTERN =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** True when `value` is a webhook id in the form the API issues (a hyphenated UUID). */
export function isWebhookId(value: unknown): value is string {
  return typeof value === "string" && WEBHOOK_ID_PATTERN.test(value);
}

/**
 * Why the API's validator (pydantic) refuses `value` as a UUID, in its words, for a 422 body; undefined when
 * it would accept it (hyphenated, or 32 hex digits without hyphens). Positions count code points, as Python does.
 */
export function uuidParsingError(value: string): string | undefined {
  const chars = [...value];
  const bad = chars.findIndex((char) => !/^[0-9a-fA-F-]$/.test(char));
  if (bad >= 0) {
    return `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${chars[bad]}\` at ${bad + 1}`;
  }
  const groups = value.split("-");
  if (groups.length === 1) {
    return value.length === 32
      ? undefined
      : `invalid length: expected length 32 for simple format, found ${value.length}`;
  }
  if (groups.length !== 5) return `invalid group count: expected 5, found ${groups.length}`;
  const lengths = [8, 4, 4, 4, 12];
  const group = groups.findIndex((part, index) => part.length !== lengths[index]);
  if (group === -1) return undefined;
  return `invalid group length in group ${group}: expected ${lengths[group]}, found ${groups[group]?.length}`;
}

/** JSON Schema's `uuid` format as ajv-formats checks it (RFC 4122 text, optional `urn:uuid:` prefix). */
export function isUuidFormat(value: unknown): value is string {
  return (
    typeof value === "string" && /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(value)
  );
}
