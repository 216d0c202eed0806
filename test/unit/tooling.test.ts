// The lint rules and the drift check are themselves checks: prove each one fires on the defect it targets.
//
// Redocly spends about a second starting up, so the lint tests do not run it once each: every test declares its
// damaged copy of the spec up front, ONE Redocly process lints all the copies (it takes several APIs and prints one
// JSON report per API, in order), and each test reads the report of its own copy.
import { execFile } from "node:child_process";
import { appendFileSync, cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyProject, generateTypes, REDOCLY_ENV, ROOT, redoclyBin } from "../support/spec.js";

const run = promisify(execFile);
const GET_FILE = join("openapi", "paths", "api_v2_webhooks_{webhook_id}.yaml");
const ROTATE_FILE = join("openapi", "paths", "api_v2_webhooks_{webhook_id}_rotate.yaml");
const PING_FILE = join("openapi", "paths", "api_v2_webhooks_{webhook_id}_ping.yaml");
const scratch: string[] = [];

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function edit(dir: string, file: string, change: (text: string) => string): void {
  const path = join(dir, file);
  const before = readFileSync(path, "utf8");
  const after = change(before);
  expect(after, `the edit to ${file} changed nothing`).not.toBe(before);
  writeFileSync(path, after);
}

/** Drops the response entry for `status` (the status line and its `$ref` line) from a path file. */
const dropStatus = (status: string) => (text: string) =>
  text.replace(new RegExp(` {4}'${status}':\\n.*\\n`), "");

interface LintReport {
  /** Whether Redocly's exit code fails for this copy: it exits 1 when any API it lints has an error. */
  failed: boolean;
  problems: Array<{ ruleId: string; message: string; location: Array<{ source: { ref: string } }> }>;
  rules: Set<string>;
  /** Only our own rules (configurable `rule/...` and the `contract/...` plugin), sorted. */
  ours: string[];
}

/** The damage each lint test does to its own copy of the spec, registered while vitest collects the tests. */
const damages = new Map<string, (dir: string) => void>();
function damagedCopy(name: string, damage: (dir: string) => void = () => {}): string {
  damages.set(name, damage);
  return name;
}

let linting: Promise<Map<string, LintReport>>;
// Every copy is registered once vitest has collected the tests: lint them all then, in one Redocly run that works
// while the drift checks (first in this file) generate types. Each lint test awaits the run, so a failure shows in
// each; the empty catch only keeps it from counting as unhandled before the first test awaits it.
beforeAll(() => {
  linting = lintAll();
  linting.catch(() => {});
});
/** The report for one copy. */
const lint = (name: string) => linting.then((reports) => reports.get(name)!);

async function lintAll(): Promise<Map<string, LintReport>> {
  // One redocly.yaml (and the plugin it loads) at the top; one damaged openapi/ per copy below it.
  const root = copyProject(scratch, ["redocly.yaml", "scripts/redocly-rules.mjs"], "rotate-lint-");
  const names = [...damages.keys()];
  for (const [name, damage] of damages) {
    cpSync(join(ROOT, "openapi"), join(root, name, "openapi"), { recursive: true });
    damage(join(root, name));
  }
  const entries = names.map((name) => join(name, "openapi", "openapi.yaml"));
  const { stdout } = await run(process.execPath, [redoclyBin(), "lint", ...entries, "--format=json"], {
    cwd: root,
    env: REDOCLY_ENV,
  }).catch((error: { code: number; stdout: string }) => {
    if (error.code !== 1) throw error;
    return { stdout: error.stdout };
  });
  // One pretty-printed JSON object per API, back to back: "}" at the start of a line closes a report.
  const reports = JSON.parse(`[${stdout.trim().replace(/\n\}\s*\{\n/g, "\n},{\n")}]`) as Array<{
    totals: { errors: number };
    problems: LintReport["problems"];
  }>;
  expect(reports).toHaveLength(names.length);
  return new Map(
    names.map((name, i) => {
      const { totals, problems } = reports[i]!;
      // Each report must be about its own copy, or the attribution above is wrong.
      for (const problem of problems)
        for (const { source } of problem.location) expect(source.ref.startsWith(`${name}/`)).toBe(true);
      const rules = new Set(problems.map((p) => p.ruleId));
      const ours = [...rules].filter((id) => /^(rule|contract)\//.test(id)).sort();
      return [name, { failed: totals.errors > 0, problems, rules, ours }];
    }),
  );
}

describe.concurrent("the drift check (openapi-typescript --check in npm run check:generated)", {
  timeout: 60_000,
}, () => {
  const committed = () => readFileSync(join(ROOT, "generated/api.ts"), "utf8");

  // First, so the CLI starts before this process gets busy loading TypeScript for the two tests after it.
  it("fails after a hand edit of generated/api.ts, with the CLI's exit code and message", async () => {
    const dir = copyProject(scratch);
    edit(dir, "generated/api.ts", (t) => t.replace("secret: string;", "secret?: string;"));
    const cli = join(ROOT, "node_modules/openapi-typescript/bin/cli.js");
    const result = await run(process.execPath, [cli, "--default-non-nullable", "false", "--check"], {
      cwd: dir,
      env: REDOCLY_ENV,
    }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Generated types are not up-to-date");
  });

  it("passes while generated/api.ts is what the spec generates, which the in-process generator reproduces", async () => {
    // Byte for byte what the CLI wrote: so the other tests may generate in-process, and the check holds today.
    expect(await generateTypes(join(ROOT, "openapi/openapi.yaml"))).toBe(committed());
  });

  it("fails once the spec changes: the generated types follow it", async () => {
    const dir = copyProject(scratch, ["openapi"]);
    edit(dir, "openapi/components/schemas/Webhook.yaml", (t) => t.replace("  - disabled\n", ""));
    const changed = await generateTypes(join(dir, "openapi/openapi.yaml"));
    expect(changed).not.toBe(committed());
    expect(committed()).toMatch(/^ {12}disabled: boolean;$/m);
    expect(changed).toMatch(/^ {12}disabled\?: boolean;$/m);
  });
});

describe.concurrent("the lint rules catch contract breaks", { timeout: 60_000 }, () => {
  const untouched = damagedCopy("untouched");
  it("the untouched copy lints clean", async () => {
    const result = await lint(untouched);
    expect(result.problems).toEqual([]);
    expect(result.failed).toBe(false);
  });

  const everyRule = damagedCopy("every-rule", (dir) => {
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
  });
  it("flags each of our rules on the defect it encodes", async () => {
    const result = await lint(everyRule);
    expect(result.failed).toBe(true);
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

  const statusLists = damagedCopy("status-lists", (dir) => {
    edit(dir, GET_FILE, dropStatus("422"));
    edit(dir, PING_FILE, dropStatus("502"));
  });
  it("each operation's status list is enforced on that operation only", async () => {
    const result = await lint(statusLists);
    expect(result.failed).toBe(true);
    expect(result.ours).toEqual(["rule/statuses-getWebhook", "rule/statuses-pingWebhook"]);
  });

  const unlisted = damagedCopy("unlisted-operation", (dir) =>
    edit(dir, PING_FILE, (t) => t.replace("operationId: pingWebhook", "operationId: testWebhook")),
  );
  it("an operation without its own status list is refused", async () => {
    const result = await lint(unlisted);
    expect(result.failed).toBe(true);
    expect(result.ours).toEqual(["rule/operation-has-a-status-list"]);
  });

  const secretLeaks = [
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
  ].map((leak, i) => ({
    ...leak,
    copy: damagedCopy(`secret-leak-${i}`, (dir) => edit(dir, leak.file, leak.change)),
  }));
  it.each(secretLeaks)(
    "only rotate may return the secret: flags it when $defect",
    async ({ copy, operation }) => {
      const result = await lint(copy);
      expect(result.failed).toBe(true);
      expect(result.ours).toEqual(["contract/only-rotate-returns-the-secret"]);
      const problem = result.problems.find((p) => p.ruleId === "contract/only-rotate-returns-the-secret");
      expect(problem?.message).toMatch(
        new RegExp(`^${operation} returns a schema with a \`secret\` property`),
      );
    },
  );

  const brokenYaml = damagedCopy("broken-yaml", (dir) =>
    appendFileSync(join(dir, "openapi/components/schemas/DetailError.yaml"), "broken: [\n"),
  );
  it("reports a broken YAML file by name instead of crashing", async () => {
    const result = await lint(brokenYaml);
    expect(result.failed).toBe(true);
    expect(result.problems.map((p) => p.message).join("\n")).toMatch(/DetailError\.yaml/);
  });
});
