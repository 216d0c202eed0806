// The lint rules and the drift check are themselves checks: prove each one fires on the defect it targets.
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, redoclyBin } from "../support/spec.js";

const ROTATE_FILE = join("openapi", "paths", "api_v2_webhooks_{webhook_id}_rotate.yaml");
const scratch: string[] = [];

/** A throwaway copy of the contract (spec, config, generated types) to damage. */
function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "rotate-contract-"));
  scratch.push(dir);
  for (const entry of ["openapi", "generated", "redocly.yaml"])
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
    problems: report.problems,
  };
}

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
    edit(dir, ROTATE_FILE, (t) => t.replace(/ {4}'404':\n.*\n/, ""));
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
        "rule/rotate-documents-every-status",
        "rule/secret-pattern-is-bounded",
        "rule/security-per-operation",
      ]),
    );
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
