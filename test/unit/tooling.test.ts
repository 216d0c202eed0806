// The lint rules and the drift check are themselves checks: prove each one fires on the defect it targets.
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, redoclyBin } from "../support/spec.js";

const GET_FILE = join("openapi", "paths", "api_v2_webhooks_{webhook_id}.yaml");
const ROTATE_FILE = join("openapi", "paths", "api_v2_webhooks_{webhook_id}_rotate.yaml");
const PING_FILE = join("openapi", "paths", "api_v2_webhooks_{webhook_id}_ping.yaml");
const scratch: string[] = [];

/** A throwaway copy of the contract (spec, config, generated types) to damage. */
function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "rotate-contract-"));
  scratch.push(dir);
  for (const entry of ["openapi", "generated", "redocly.yaml", "scripts/redocly-rules.mjs"])
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  return dir;
}

function edit(dir: string, file: string, change: (text: string) => string): void {
  const path = join(dir, file);
  const before = readFileSync(path, "utf8");
  const after = change(before);
  expect(after, `the edit to ${file} changed nothing`).not.toBe(before);
  writeFileSync(path, after);
}

const env = {
  ...process.env,
  REDOCLY_TELEMETRY: "off",
  REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
  NO_COLOR: "1",
};

function lint(dir: string) {
  const run = spawnSync(process.execPath, [redoclyBin(), "lint", "--format=json"], {
    cwd: dir,
    env,
    encoding: "utf8",
  });
  const report = JSON.parse(run.stdout) as { problems: Array<{ ruleId: string; message: string }> };
  return {
    status: run.status,
    rules: new Set(report.problems.map((p) => p.ruleId)),
    /** Only our own rules (configurable `rule/...` and the `contract/...` plugin), sorted. */
    ours: [...new Set(report.problems.map((p) => p.ruleId))]
      .filter((id) => /^(rule|contract)\//.test(id))
      .sort(),
    problems: report.problems,
  };
}

/** Drops the response entry for `status` (the status line and its `$ref` line) from a path file. */
const dropStatus = (status: string) => (text: string) =>
  text.replace(new RegExp(` {4}'${status}':\\n.*\\n`), "");

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe("the lint rules catch contract breaks", () => {
  it("the untouched copy lints clean", () => {
    const result = lint(copyProject());
    expect(result.problems).toEqual([]);
    expect(result.status).toBe(0);
  });

  it("flags each of our rules on the defect it encodes", () => {
    const dir = copyProject();
    edit(dir, ROTATE_FILE, dropStatus("404"));
    edit(dir, ROTATE_FILE, (t) => t.replace("  x-codeSamples:", "  x-samples:"));
    edit(dir, ROTATE_FILE, (t) => t.replace("  security:\n    - bearerAuth: []\n", ""));
    edit(dir, "openapi/components/schemas/Webhook.yaml", (t) =>
      t.replace(/ {4}description: Free-text label.*\n/, ""),
    );
    edit(dir, "openapi/components/schemas/WebhookWithSecret.yaml", (t) =>
      t.replace(/pattern: .*/, "pattern: ^whsec_.+$"),
    );
    edit(dir, "openapi/components/responses/Unauthorized.yaml", (t) =>
      t.replace(/ {4}examples:\n.*\n.*\n/, "    example:\n      message: Unauthorized\n"),
    );
    edit(dir, "openapi/components/examples/RotatedWebhook.yaml", (t) =>
      t.replace("disabled: false", "disabled: 'no'"),
    );
    const result = lint(dir);
    expect(result.status).not.toBe(0);
    // Built-in rules may fire as well (an unused component, say); ours must all be there.
    expect([...result.rules]).toEqual(
      expect.arrayContaining([
        "no-invalid-media-type-examples",
        "rule/code-samples-for-each-language",
        "rule/every-property-described",
        "rule/named-examples-only",
        "rule/statuses-rotateWebhookSecret",
        "rule/secret-pattern-is-bounded",
        "rule/security-per-operation",
      ]),
    );
  });

  it("each operation's status list is enforced on that operation only", () => {
    const dir = copyProject();
    edit(dir, GET_FILE, dropStatus("422"));
    edit(dir, PING_FILE, dropStatus("502"));
    const result = lint(dir);
    expect(result.status).not.toBe(0);
    expect(result.ours).toEqual(["rule/statuses-getWebhook", "rule/statuses-pingWebhook"]);
  });

  it("an operation without its own status list is refused", () => {
    const dir = copyProject();
    edit(dir, PING_FILE, (t) => t.replace("operationId: pingWebhook", "operationId: testWebhook"));
    const result = lint(dir);
    expect(result.status).not.toBe(0);
    expect(result.ours).toEqual(["rule/operation-has-a-status-list"]);
  });

  it.each([
    {
      defect: "get returns the rotate schema",
      file: GET_FILE,
      change: (t: string) => t.replace("schemas/Webhook.yaml", "schemas/WebhookWithSecret.yaml"),
      operation: "getWebhook",
    },
    {
      // Ping comes after rotate: a rule that walked each shared schema only once would miss this one.
      defect: "ping returns the rotate schema, already seen under rotate",
      file: PING_FILE,
      change: (t: string) => t.replace("schemas/WebhookPingResult.yaml", "schemas/WebhookWithSecret.yaml"),
      operation: "pingWebhook",
    },
    {
      defect: "ping's own schema gains a secret property",
      file: "openapi/components/schemas/WebhookPingResult.yaml",
      change: (t: string) =>
        t.replace(
          "properties:\n",
          "properties:\n  secret:\n    type: string\n    description: Leaked.\n    pattern: ^whsec_[a-z]{32,86}$\n",
        ),
      operation: "pingWebhook",
    },
  ])("only rotate may return the secret: flags it when $defect", ({ file, change, operation }) => {
    const dir = copyProject();
    edit(dir, file, change);
    const result = lint(dir);
    expect(result.status).not.toBe(0);
    expect(result.ours).toEqual(["contract/only-rotate-returns-the-secret"]);
    const problem = result.problems.find((p) => p.ruleId === "contract/only-rotate-returns-the-secret");
    expect(problem?.message).toMatch(new RegExp(`^${operation} returns a schema with a \`secret\` property`));
  });

  it("reports a broken YAML file by name instead of crashing", () => {
    const dir = copyProject();
    appendFileSync(join(dir, "openapi/components/schemas/DetailError.yaml"), "broken: [\n");
    const result = lint(dir);
    expect(result.status).not.toBe(0);
    expect(result.problems.map((p) => p.message).join("\n")).toMatch(/DetailError\.yaml/);
  });
});

describe("the drift check", () => {
  const check = (dir: string) =>
    spawnSync(
      process.execPath,
      [
        join(ROOT, "node_modules/openapi-typescript/bin/cli.js"),
        "--default-non-nullable",
        "false",
        "--check",
      ],
      { cwd: dir, env, encoding: "utf8" },
    );

  it("passes when generated/ matches the spec, and fails after a hand edit or a spec change", () => {
    const clean = copyProject();
    expect(check(clean).status).toBe(0);

    const handEdited = copyProject();
    edit(handEdited, "generated/api.ts", (t) => t.replace("secret: string;", "secret?: string;"));
    expect(check(handEdited).status).not.toBe(0);

    const specChanged = copyProject();
    edit(specChanged, "openapi/components/schemas/Webhook.yaml", (t) => t.replace("  - disabled\n", ""));
    expect(check(specChanged).status).not.toBe(0);
    // Three generator runs of about 1.5 s each: more than vitest's default 5 s on a busy 2-core machine.
  }, 30_000);
});
