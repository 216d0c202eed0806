// The API reference page's examples, kept in test/fixtures/seed/ with their source named, against the spec and the
// mock: the spec's `rotated` example is the page's response verbatim, and the page's TypeScript example, with only
// its import pointed at this package's build and HAI_BASE_URL at the mock, prints that response's secret.
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

const FIXTURE = join(ROOT, "test", "fixtures", "seed", "rotate-webhook-secret.md");

/** The fenced block of `language` in the fixture page. */
function seedBlock(language: "typescript" | "json"): string {
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(readFileSync(FIXTURE, "utf8"))?.[1];
  if (block === undefined) throw new Error(`No \`\`\`${language} block in ${FIXTURE}.`);
  return block;
}

const seedResponse = JSON.parse(seedBlock("json")) as { secret: string };
const target = inject("contractTarget");
const contract = operationContract(inject("contractSpec"), ROTATE_PATH, "post");

describe("the seed page's example response", () => {
  it("is the spec's `rotated` 200 example, verbatim", () => {
    expect(seedResponse.secret).toMatch(/^whsec_/);
    expect(contract.example("200", "rotated")).toEqual(seedResponse);
  });
});

describe("the seed's TypeScript example against the mock", () => {
  beforeEach((context) => {
    if (target.kind !== "mock") context.skip(SKIP.mockOnly);
  });

  it.each([
    ["the page's example, verbatim", seedBlock("typescript")],
    ["the spec's code sample", readFileSync(join(ROOT, "openapi", "code_samples", "rotate.ts"), "utf8")],
  ])("%s prints the page's secret when run with HAI_BASE_URL set to the mock", (_, sample) => {
    const entry = pathToFileURL(join(ROOT, "dist", "src", "index.js")).href;
    const program = sample.replace(/from "hai-agents"/, `from ${JSON.stringify(entry)}`);
    expect(program).not.toBe(sample);
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", program], {
      encoding: "utf8",
      env: { ...process.env, HAI_BASE_URL: target.baseUrl, HAI_API_KEY: "hk-seed-example" },
    });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(`${seedResponse.secret}\n`);
  });

  it("surfaces the mock's 404 for an unknown id as NotFoundError", async () => {
    const client = new HaiAgentsClient({ baseUrl: target.baseUrl, token: "hk-seed-example" });
    await expect(
      client.webhooks.rotateWebhookSecret({ webhookId: "00000000-0000-4000-8000-000000000000" }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
