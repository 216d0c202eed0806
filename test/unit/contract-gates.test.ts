// The two contract gates, each shown refusing what it exists to refuse: check:breaking a change that breaks
// existing clients (in process on the bundle, then end to end in a throwaway git repository with a tag), and
// check:upstream a field the live API has that ours lacks (in process on the live snapshot, then as a process).
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONTRACT, copyProject, type Json, REDOCLY_ENV, ROOT } from "../support/spec.js";

type Change = {
  type: string;
  method: string;
  path: string;
  status: string;
  field: string;
  description: string;
};
type Outcome = { exitCode: number; text: string };
type Decision = { field: string; keyword: string; why: string };

/** The scripts, called in this process (no type declarations: they are plain .mjs scripts). */
const { compareSpecs } = (await import(join(ROOT, "scripts/check-breaking.mjs"))) as {
  compareSpecs(before: Json, after: Json): Change[];
};
const { compareWithUpstream } = (await import(join(ROOT, "scripts/check-upstream.mjs"))) as {
  compareWithUpstream(ours: Json, live: Json, decisions: Decision[]): Outcome;
};
const { extractWebhooks } = (await import(join(ROOT, "scripts/refresh-upstream.mjs"))) as {
  extractWebhooks(full: Json): string;
};

const run = promisify(execFile);
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

const read = (file: string) => readFileSync(join(ROOT, file), "utf8");
/** Fresh copies each call, so a test can damage its own. */
const bundled = () => JSON.parse(read("generated/openapi.json")) as Json;
const live = () => JSON.parse(read("test/fixtures/upstream/openapi-webhooks.json")) as Json;
const decisions = () => parse(read("openapi/upstream-decisions.yaml")) as Decision[];
// biome-ignore lint/suspicious/noExplicitAny: reaching into a JSON document by path
const schemas = (doc: Json) => (doc.components as { schemas: Record<string, any> }).schemas;
const ROTATE = "/api/v2/webhooks/{webhook_id}/rotate";
const GET = "/api/v2/webhooks/{webhook_id}";

const only = (changes: Change[], type: string) =>
  changes
    .filter((c) => c.type === type)
    .map((c) => `${c.method} ${c.path} | ${c.status} | ${c.field} | ${c.description}`);

describe("check:breaking sorts each difference, and refuses what breaks clients", () => {
  it("finds nothing between the bundle and itself", () => {
    expect(compareSpecs(bundled(), bundled())).toEqual([]);
  });

  it("a removed response is breaking, named by method, path and status", () => {
    const after = bundled();
    // biome-ignore lint/suspicious/noExplicitAny: reaching into a JSON document by path
    delete (after.paths as any)[ROTATE].post.responses["404"];
    expect(only(compareSpecs(bundled(), after), "breaking")).toEqual([`POST ${ROTATE} | 404 |  | removed`]);
  });

  it("a removed field is breaking wherever a response carries it (get and rotate share the schema)", () => {
    const after = bundled();
    delete schemas(after).Webhook.properties.url;
    schemas(after).Webhook.required = schemas(after).Webhook.required.filter((n: string) => n !== "url");
    expect(only(compareSpecs(bundled(), after), "breaking")).toEqual([
      `GET ${GET} | 200 | url (required) | removed: "url"`,
      `GET ${GET} | 200 | url | removed`,
      `POST ${ROTATE} | 200 | url (required) | removed: "url"`,
      `POST ${ROTATE} | 200 | url | removed`,
    ]);
  });

  it("a response type widened or replaced is breaking (the library alone calls it non-breaking); narrowed is not", () => {
    const replaced = bundled();
    schemas(replaced).WebhookPingResult.properties.response_status.type = "string";
    const widened = bundled();
    schemas(widened).WebhookPingResult.properties.response_status.type = ["integer", "null"];
    const narrowed = bundled();
    schemas(narrowed).Webhook.properties.description.type = "string";
    const ping = "POST /api/v2/webhooks/{webhook_id}/ping | 200 | response_status (type)";
    expect(only(compareSpecs(bundled(), replaced), "breaking")).toEqual([
      `${ping} | replaced: "integer" -> "string"`,
    ]);
    expect(only(compareSpecs(bundled(), widened), "breaking")).toEqual([
      `${ping} | replaced: "integer" -> ["integer","null"]`,
    ]);
    const narrowing = compareSpecs(bundled(), narrowed);
    expect(only(narrowing, "breaking")).toEqual([]);
    expect(only(narrowing, "non-breaking")).toContain(
      `GET ${GET} | 200 | description (type) | replaced: ["string","null"] -> "string"`,
    );
  });

  it("a field removed from a shared error body counts at each status using it, though it is reached by $ref", () => {
    const after = bundled();
    delete schemas(after).GatewayError.properties.message;
    schemas(after).GatewayError.required = [];
    const breaking = only(compareSpecs(bundled(), after), "breaking");
    expect(breaking).toContain(`POST ${ROTATE} | 401 | message | removed`);
    expect(breaking.filter((line) => line.includes("| 401 | message | removed"))).toHaveLength(3);
  });

  it("deliveries are compared too: a field removed from the ping event breaks receivers", () => {
    const after = bundled();
    delete schemas(after).PingEventData.properties.webhook_id;
    schemas(after).PingEventData.required = [];
    expect(only(compareSpecs(bundled(), after), "breaking")).toEqual([
      'POST webhook webhookDelivery | delivery | data.webhook_id (required) | removed: "webhook_id"',
      "POST webhook webhookDelivery | delivery | data.webhook_id | removed",
    ]);
  });

  it("a removed component schema is breaking (its generated type goes); a new response field and a new wording are not", () => {
    const removed = bundled();
    delete schemas(removed).SessionEventType;
    const changes = compareSpecs(bundled(), removed);
    expect(only(changes, "breaking")).toContain(
      " components.schemas.SessionEventType |  |  | removed, with its generated type",
    );

    const added = bundled();
    schemas(added).WebhookPingResult.properties.latency_ms = { type: "integer", description: "How long." };
    schemas(added).WebhookPingResult.description = "Reworded.";
    const listed = compareSpecs(bundled(), added);
    expect(only(listed, "breaking")).toEqual([]);
    expect(only(listed, "non-breaking")).toEqual([
      "POST /api/v2/webhooks/{webhook_id}/ping | 200 | latency_ms | added",
    ]);
    expect(only(listed, "annotation")).toEqual([
      'POST /api/v2/webhooks/{webhook_id}/ping | 200 | (description) | replaced: "Outcome of a test delivery to a webhook endpoint." -> "Reworded."',
    ]);
  });
});

/** A throwaway git repository holding the spec, generated/ and a package.json at `version`. */
function repository(version: string): { dir: string; git: (...args: string[]) => string } {
  const dir = copyProject(scratch, CONTRACT, "check-breaking-");
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "gate-test", version }, null, 2)}\n`);
  const env = { ...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined };
  const git = (...args: string[]) =>
    execFileSync(
      "git",
      [
        "-c",
        "user.name=Gate Test",
        "-c",
        "user.email=gate@example.com",
        "-c",
        "commit.gpgsign=false",
        ...args,
      ],
      { cwd: dir, env, encoding: "utf8", stdio: "pipe" },
    ).trim();
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "the spec as released");
  return { dir, git };
}

async function checkBreaking(dir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const script = join(ROOT, "scripts/check-breaking.mjs");
  return run(process.execPath, [script, ...args], { cwd: dir, env: REDOCLY_ENV }).then(
    ({ stdout }) => ({ code: 0, out: stdout }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      out: error.stdout + error.stderr,
    }),
  );
}

const ROTATE_FILE = join("openapi", "paths", "api_v2_webhooks_{webhook_id}_rotate.yaml");

describe.concurrent("check:breaking as a command, in a git repository", { timeout: 120_000 }, () => {
  it("refuses a 404 removed since the newest v* tag, listing it, until package.json's major version goes up", async () => {
    const { dir, git } = repository("1.4.0");
    git("tag", "v1.4.0");
    const file = join(dir, ROTATE_FILE);
    writeFileSync(file, readFileSync(file, "utf8").replace(/ {4}'404':\n.*\n/, ""));
    git("commit", "-qam", "drop the 404");

    const refused = await checkBreaking(dir);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain("against v1.4.0 (the newest v* tag)");
    expect(refused.out).toContain(`Breaking changes (1):\n  POST ${ROTATE} | 404 | - | removed\n`);
    expect(refused.out).toContain("set package.json's version to 2.0.0 (now 1.4.0; the base has 1.4.0)");

    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "gate-test", version: "2.0.0" }));
    const allowed = await checkBreaking(dir);
    expect(allowed.code).toBe(0);
    expect(allowed.out).toContain(`POST ${ROTATE} | 404 | - | removed`);
    expect(allowed.out).toContain("OK: 1 breaking change(s), released as a new major version");
  });

  it("without a tag compares with the previous change to openapi/, and says when there is none", async () => {
    const { dir, git } = repository("0.3.0");
    const first = await checkBreaking(dir, "--previous");
    expect(first).toEqual({
      code: 0,
      out: expect.stringContaining(
        "check:breaking: NOT CHECKED: no earlier commit changed openapi/ (HEAD's history has only the commit that added it)",
      ),
    });

    // An uncommitted change is compared with the last commit; the field removed is listed and refused.
    const file = join(dir, "openapi/components/schemas/PingEventData.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("required:\n  - webhook_id\n", ""));
    const head = git("rev-parse", "--short", "HEAD");
    const refused = await checkBreaking(dir);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`against ${head} (no v* tag; the previous commit that changed openapi/)`);
    expect(refused.out).toContain(
      'POST webhook webhookDelivery | delivery | data.webhook_id (required) | removed: "webhook_id"',
    );
  });

  it("in a shallow clone without the history it needs, says so and how to fetch it", async () => {
    const { dir, git } = repository("0.3.0");
    writeFileSync(join(dir, "openapi/guides/rotation.md"), "A second version of the guide.\n");
    git("commit", "-qam", "second");
    const shallow = join(dir, "shallow");
    git("clone", "-q", "--depth", "1", `file://${dir}`, shallow);
    const outcome = await checkBreaking(shallow);
    expect(outcome.code).toBe(0);
    expect(outcome.out).toContain(
      "check:breaking: NOT CHECKED: no v* tag; no earlier commit changed openapi/",
    );
    expect(outcome.out).toContain("The history is shallow: fetch it whole (`git fetch --unshallow --tags`)");
  });
});

describe("check:upstream holds the spec to the live API's document", () => {
  it("passes on this spec, listing each deliberate strictness, what we add and what live has beyond us", () => {
    const { exitCode, text } = compareWithUpstream(bundled(), live(), decisions());
    expect(text).toContain("Compared: getWebhook, rotateWebhookSecret, pingWebhook");
    expect(text).toContain("Live has, ours lacks (0):\n  none\n");
    expect(text).toContain("Ours is stricter, with no decision in openapi/upstream-decisions.yaml (0):");
    expect(text).toContain(
      `Ours is stricter by decision (openapi/upstream-decisions.yaml) (${decisions().length}):`,
    );
    expect(text).toContain('  url format: ours "uri", live none [getWebhook 200, rotateWebhookSecret 200]\n');
    expect(text).toContain("  webhook: the signed deliveries [webhooks.webhookDelivery]");
    expect(text).toContain("  operation: create_webhook_api_v2_webhooks_post [POST /api/v2/webhooks]");
    expect(exitCode).toBe(0);
  });

  it("refuses a field the live API has and ours lacks, naming it and where", () => {
    const planted = live();
    schemas(planted).WebhookRecord.properties.region = { type: "string", title: "Region" };
    const { exitCode, text } = compareWithUpstream(bundled(), planted, decisions());
    expect(exitCode).toBe(1);
    expect(text).toContain(
      "Live has, ours lacks (1):\n  region property: live has this field, ours does not [getWebhook 200]\n",
    );
    expect(text).toContain("Refused: 1 problem(s) above.");
  });

  it("refuses a live status, parameter or accepted value that ours lacks", () => {
    const planted = live();
    // biome-ignore lint/suspicious/noExplicitAny: reaching into a JSON document by path
    const rotate = (planted.paths as any)[ROTATE].post;
    rotate.responses["409"] = { description: "Conflict" };
    rotate.parameters.push({ name: "reason", in: "query", required: false, schema: { type: "string" } });
    schemas(planted).WebhookRecord.properties.last_delivery_status.anyOf[0].enum.push("pending");
    const { exitCode, text } = compareWithUpstream(bundled(), planted, decisions());
    expect(exitCode).toBe(1);
    expect(text).toContain("  status: live documents it, ours does not [rotateWebhookSecret 409]");
    expect(text).toContain(
      "  query parameter reason parameter: live takes it, ours does not [rotateWebhookSecret]",
    );
    expect(text).toContain('  last_delivery_status enum: ours refuses "pending" [getWebhook 200]');
  });

  it("refuses an incompatible type, a strictness without a decision, and a decision nothing needs", () => {
    const ours = bundled();
    schemas(ours).Webhook.properties.consecutive_failures.type = "string";
    schemas(ours).Webhook.properties.url.maxLength = 2048;
    const stale = [...decisions(), { field: "id", keyword: "pattern", why: "no longer true" }];
    const { exitCode, text } = compareWithUpstream(ours, live(), stale);
    expect(exitCode).toBe(1);
    expect(text).toContain(
      "Incompatible types (1):\n  consecutive_failures type: ours is string, live integer [getWebhook 200, rotateWebhookSecret 200]",
    );
    expect(text).toContain("  url maxLength: ours 2048, live none [getWebhook 200, rotateWebhookSecret 200]");
    expect(text).toContain(
      "Decisions that match no difference any more (1): remove them from openapi/upstream-decisions.yaml\n  id pattern",
    );
  });

  it("the guide shows today's report exactly", () => {
    const guide = read("docs/guides/contract-gates.md");
    const shown = /### The upstream diff today\n\n```text\n([\s\S]*?)\n```/.exec(guide)?.[1];
    expect(shown).toBe(compareWithUpstream(bundled(), live(), decisions()).text);
  });

  it("every decision gives its reason", () => {
    for (const decision of decisions()) expect(decision.why.length, decision.field).toBeGreaterThan(30);
  });

  it("the refresh script keeps exactly the snapshot's parts: run on the snapshot, it gives back the same bytes", () => {
    expect(extractWebhooks(live())).toBe(read("test/fixtures/upstream/openapi-webhooks.json"));
    const full = live();
    (full.paths as Json)["/api/v2/sessions"] = { get: { responses: {} } };
    schemas(full).Session = { type: "object" };
    expect(extractWebhooks(full)).toBe(read("test/fixtures/upstream/openapi-webhooks.json"));
  });

  it("the snapshot is the verbatim file its README names, by sha256", () => {
    const digest = createHash("sha256")
      .update(readFileSync(join(ROOT, "test/fixtures/upstream/openapi-webhooks.json")))
      .digest("hex");
    expect(read("test/fixtures/upstream/README.md")).toContain(`**sha256:** \`${digest}\``);
  });

  it("as a command it bundles openapi/ itself, and exits 1 on a planted live field", async () => {
    const dir = copyProject(scratch, [...CONTRACT, "test/fixtures/upstream"], "check-upstream-");
    const snapshot = join(dir, "test/fixtures/upstream/openapi-webhooks.json");
    const planted = live();
    schemas(planted).WebhookPingResult.properties.latency_ms = { type: "integer" };
    writeFileSync(snapshot, JSON.stringify(planted));
    const outcome = await run(process.execPath, [join(ROOT, "scripts/check-upstream.mjs")], {
      cwd: dir,
      env: REDOCLY_ENV,
    }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(
      "  latency_ms property: live has this field, ours does not [pingWebhook 200]",
    );
  }, 60_000);
});
