// The receiver's trusted secrets, checked up front: a bad entry would fail every delivery, so say so at once.
import { WebhookVerificationError } from "./errors.js";
import { hasControlCharacter, isWellFormedText } from "./scheme.js";

/** One secret, or the list the receiver trusts during a rotation (e.g. `[oldSecret, newSecret]`). */
export type WebhookSecrets = string | readonly string[];

/** The secrets as a non-empty list of non-empty, well-formed strings, in the caller's order. */
export function normaliseSecrets(secrets: unknown): readonly string[] {
  const list: readonly unknown[] = Array.isArray(secrets) ? secrets : [secrets];
  if (list.length === 0) {
    throw new WebhookVerificationError(
      "no_secret",
      "The secret list is empty: pass the webhook's signing secret, or [oldSecret, newSecret] during a rotation.",
    );
  }
  // An index loop, not forEach: forEach skips the holes of a sparse array, which must be refused too.
  for (let index = 0; index < list.length; index += 1) {
    const secret = list[index];
    const where = Array.isArray(secrets) ? `secrets[${index}]` : "The secret";
    if (secret === undefined || secret === null || secret === "") {
      throw new WebhookVerificationError(
        "no_secret",
        `${where} is ${secret === "" ? "an empty string" : String(secret)}: is its environment variable or secret-store entry set? ` +
          "Leave unset secrets out of the list rather than passing them.",
      );
    }
    if (typeof secret !== "string") {
      throw new WebhookVerificationError(
        "invalid_secret",
        `${where} is a ${typeof secret}; secrets are strings such as "whsec_...", used as UTF-8 bytes.`,
      );
    }
    if (!isWellFormedText(secret)) {
      throw new WebhookVerificationError(
        "invalid_secret",
        `${where} contains an unpaired UTF-16 surrogate, so it has no exact UTF-8 form to use as the key.`,
      );
    }
    if (hasControlCharacter(secret)) {
      throw new WebhookVerificationError(
        "invalid_secret",
        `${where} contains a control character (a trailing newline from a file or env var?). Issued secrets are printable: trim it.`,
      );
    }
  }
  return [...(list as readonly string[])];
}

/**
 * Likely reasons why a valid-looking signature matched none of the secrets, from the secrets alone. Refers to
 * secrets by position only.
 */
export function secretHints(secrets: readonly string[], single: boolean): string[] {
  const hints: string[] = [];
  secrets.forEach((secret, index) => {
    const where = single ? "The secret" : `secrets[${index}]`;
    if (secret.trim() !== secret) hints.push(`${where} has leading or trailing spaces: trim them.`);
    else if (!secret.startsWith("whsec_"))
      hints.push(
        `${where} does not start with "whsec_": the key is the whole secret as issued, prefix included.`,
      );
  });
  return hints;
}
