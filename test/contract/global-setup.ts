// Contract project setup: bundle the spec once and start the mock (node dist/src/mock/cli.js on a free
// port of 127.0.0.1) for the mock provider and the mock's own tests. The mock is stopped by PID in
// teardown, and also if this process exits without reaching it. A provider named by CONTRACT_BASE_URL is
// checked here too, so a bad setting fails once, up front.
import type { TestProject } from "vitest/node";
import { bundleSpec } from "../support/spec.js";
import { type MockProcess, startMockProcess } from "./mock-process.js";
import { externalProvider } from "./providers/external.js";
import { ROTATE_PATH } from "./scenarios.js";
import { SKIP } from "./target.js";

const MOCK_TOKEN = "hk-contract-suite";

function documentedWebhookId(spec: Record<string, unknown>): string {
  const operation = (
    spec.paths as Record<string, { post: { parameters?: Array<{ name: string; example?: unknown }> } }>
  )[ROTATE_PATH];
  const example = operation?.post.parameters?.find((parameter) => parameter.name === "webhook_id")?.example;
  if (typeof example !== "string")
    throw new Error("The spec's webhook_id parameter has no example id for the mock to serve.");
  return example;
}

export default async function setup(project: TestProject) {
  const spec = bundleSpec();
  project.provide("contractSpec", spec);

  const external = externalProvider(process.env);
  if (external) {
    const skipped = external.webhookId ? "" : ` Its 2xx tests are skipped: ${SKIP.noWebhookId}.`;
    console.log(`\nContract suite also against ${external.baseUrl} (CONTRACT_BASE_URL).${skipped}\n`);
  }

  let mock: MockProcess | undefined = await startMockProcess();
  const killOnExit = () => {
    try {
      if (mock) process.kill(mock.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.once("exit", killOnExit);
  project.provide("contractTarget", {
    kind: "mock",
    baseUrl: mock.url,
    token: MOCK_TOKEN,
    webhookId: documentedWebhookId(spec),
  });

  return async () => {
    process.off("exit", killOnExit);
    const running = mock;
    mock = undefined;
    await running?.stop();
  };
}
