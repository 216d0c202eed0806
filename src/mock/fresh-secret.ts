// Fresh signing secrets for dynamic responses.
//
// Prism's schema faker builds strings from the `secret` pattern character by character: it mixes the
// base64 and base64url alphabets in one value and pads odd lengths with `==`, which no real key looks
// like. A real secret is random bytes in one encoding, so that is what we generate: 32 bytes (256 bits,
// the HMAC-SHA256 key size) as unpadded base64url, 43 characters after the prefix.
import { randomBytes } from "node:crypto";

export const SECRET_PREFIX = "whsec_";

export function freshSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64url");
}

/** Thrown at startup when the spec's `secret` pattern would reject what this module generates. */
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
          "characters>. Align the pattern in openapi/ or the generator in src/mock/fresh-secret.ts.",
      );
    }
  }
}
