// The API page's TypeScript example, with only its import swapped to this package's build and
// HAI_BASE_URL pointed at the mock, must print the rotated secret.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { HaiAgentsClient, NotFoundError } from "../../src/index.js";
import { ROOT } from "../support/spec.js";
import { operationContract } from "./operation-contract.js";
import { ROTATE_PATH } from "./scenarios.js";
import { SKIP } from "./target.js";

const target = inject("contractTarget");
const contract = operationContract(inject("contractSpec"), ROTATE_PATH, "post");

describe("the seed's TypeScript example against the mock", () => {
  beforeEach((context) => {
    if (target.kind !== "mock") context.skip(SKIP.mockOnly);
  });

  it("prints the example's secret when run with HAI_BASE_URL set to the mock", () => {
    const sample = readFileSync(join(ROOT, "openapi", "code_samples", "rotate.ts"), "utf8");
    const entry = pathToFileURL(join(ROOT, "dist", "src", "index.js")).href;
    const program = sample.replace(/from "hai-agents"/, `from ${JSON.stringify(entry)}`);
    expect(program).not.toBe(sample);
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", program], {
      encoding: "utf8",
      env: { ...process.env, HAI_BASE_URL: target.baseUrl, HAI_API_KEY: "hk-seed-example" },
    });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(`${(contract.example("200") as { secret: string }).secret}\n`);
  });

  it("surfaces the mock's 404 for an unknown id as NotFoundError", async () => {
    const client = new HaiAgentsClient({ baseUrl: target.baseUrl, token: "hk-seed-example" });
    await expect(
      client.webhooks.rotateWebhookSecret({ webhookId: "00000000-0000-4000-8000-000000000000" }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
