// Which provider the contract suite runs against: the mock started by the global setup, or any server
// given by CONTRACT_BASE_URL / CONTRACT_TOKEN / CONTRACT_WEBHOOK_ID.
import { WEBHOOK_ID_PATTERN } from "../../src/index.js";
import type { Json } from "../support/spec.js";

export interface ContractTarget {
  kind: "mock" | "external";
  baseUrl: string;
  token: string;
  /** A webhook the provider has; undefined when an external provider was given none. */
  webhookId: string | undefined;
}

declare module "vitest" {
  export interface ProvidedContext {
    contractTarget: ContractTarget;
    /** The spec, bundled with every $ref resolved (redocly bundle --dereferenced). */
    contractSpec: Json;
  }
}

/** Skip reasons, printed by the global setup and attached to each skipped test. */
export const SKIP = {
  noWebhookId: "needs a webhook the provider has: set CONTRACT_WEBHOOK_ID (it will really be rotated)",
  mockOnly:
    "tests the mock server itself (Prefer headers, dynamic secrets, bad input, CLI); against a real API such requests would rotate a real webhook",
} as const;

export class ContractTargetError extends Error {
  override readonly name = "ContractTargetError";
}

/** The external provider described by the environment, or undefined to use the mock. */
export function externalTarget(
  env: Readonly<Record<string, string | undefined>>,
): ContractTarget | undefined {
  const baseUrl = env.CONTRACT_BASE_URL?.trim();
  if (!baseUrl) return undefined;
  try {
    new URL(baseUrl);
  } catch {
    throw new ContractTargetError(
      `CONTRACT_BASE_URL must be an absolute URL such as https://staging.example.com, got "${baseUrl}".`,
    );
  }
  const token = env.CONTRACT_TOKEN?.trim();
  if (!token)
    throw new ContractTargetError(
      "CONTRACT_BASE_URL is set but CONTRACT_TOKEN is not: set it to an API key for that provider.",
    );
  const webhookId = env.CONTRACT_WEBHOOK_ID?.trim() || undefined;
  if (webhookId !== undefined && !WEBHOOK_ID_PATTERN.test(webhookId)) {
    throw new ContractTargetError(
      "CONTRACT_WEBHOOK_ID must be a webhook id (a UUID) that exists on that provider.",
    );
  }
  return { kind: "external", baseUrl: baseUrl.replace(/\/+$/, ""), token, webhookId };
}
