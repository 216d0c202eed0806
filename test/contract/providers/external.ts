// Any server named by CONTRACT_BASE_URL / CONTRACT_TOKEN / CONTRACT_WEBHOOK_ID, such as a staging API.
// Only the contract applies: no Prefer negotiation, no example bodies. The 2xx checks really rotate (and
// ping) CONTRACT_WEBHOOK_ID, so they run only when it is set.
import { isWebhookId } from "../../../src/index.js";
import { ContractTargetError, type Provider } from "../target.js";

export function externalProvider(env: Readonly<Record<string, string | undefined>>): Provider | undefined {
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
  if (webhookId !== undefined && !isWebhookId(webhookId)) {
    throw new ContractTargetError(
      "CONTRACT_WEBHOOK_ID must be a webhook id (a UUID) that exists on that provider.",
    );
  }
  return {
    name: baseUrl.replace(/\/+$/, ""),
    baseUrl: baseUrl.replace(/\/+$/, ""),
    token,
    webhookId,
    fetch: (input, init) => fetch(input, init),
    extras: new Set(["http-server"]),
  };
}

export default () => externalProvider(process.env);
