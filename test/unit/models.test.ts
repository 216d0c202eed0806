// The SDK-shaped models: every documented example converts as the official SDK would shape it, and a property
// added to (a copy of) the spec reaches the model type and the conversion after `npm run generate`, or stops the
// generator with a message; stale generated data does not compile.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { components } from "../../generated/api.js";
import { MODEL_FIELDS } from "../../generated/models.js";
import { toWebhook, toWebhookPingResult, toWebhookWithSecret } from "../../src/models.js";
import { bundleSpec, type Json, ROOT } from "../support/spec.js";

// The reference page's rotate response, as a standalone JSON text (so each test gets a fresh object).
const SEED = JSON.stringify({
  id: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
  url: "https://example.com/hooks/h",
  enabled_events: ["*"],
  description: "Production listener",
  disabled: false,
  created_at: "2026-06-11T15:04:05Z",
  updated_at: "2026-07-02T09:00:00Z",
  secret: "whsec_nZbY0eXaMpLeOnLyDoNotUse0aQ3rT5uV7wX9yZ1aB3c",
});
const seedWire = (): Json => JSON.parse(SEED) as Json;

type Examples = Record<string, { value: Json }>;
type Operation = { responses: Record<string, { content: Record<string, { examples: Examples }> }> };

let spec: Json;
// Bundling runs Redocly: about a second alone, much longer on a loaded machine.
beforeAll(() => {
  spec = bundleSpec();
}, 60_000);

function examples(path: string, method: string): Array<[string, Json]> {
  const operation = ((spec.paths as Json)[path] as Record<string, Operation>)[method]!;
  const found = operation.responses["200"]!.content["application/json"]!.examples;
  return Object.entries(found).map(([name, example]) => [name, example.value]);
}

/** What the conversion must produce, worked out from the wire object and the schema's generated field list. */
function expected(schema: keyof typeof MODEL_FIELDS, wire: Json): Json {
  const model: Json = {};
  for (const field of MODEL_FIELDS[schema]) {
    if (!(field.wire in wire)) continue;
    const value = wire[field.wire];
    model[field.name] = field.dateTime && typeof value === "string" ? new Date(value) : value;
  }
  return model;
}

describe("converting the spec's examples", () => {
  it("the rotate seed example becomes exactly the official SDK's shape", () => {
    const [, seed] = examples("/api/v2/webhooks/{webhook_id}/rotate", "post")[0]!;
    expect(toWebhookWithSecret(seed as components["schemas"]["WebhookWithSecret"])).toStrictEqual({
      id: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
      url: "https://example.com/hooks/h",
      enabledEvents: ["*"],
      description: "Production listener",
      disabled: false,
      createdAt: new Date("2026-06-11T15:04:05Z"),
      updatedAt: new Date("2026-07-02T09:00:00Z"),
      secret: "whsec_nZbY0eXaMpLeOnLyDoNotUse0aQ3rT5uV7wX9yZ1aB3c",
    });
  });

  it("every getWebhook example: camelCase, Date for each date-time, null kept, nothing else", () => {
    const found = examples("/api/v2/webhooks/{webhook_id}", "get");
    expect(found.length).toBeGreaterThanOrEqual(2);
    for (const [name, wire] of found) {
      const model = toWebhook(wire as components["schemas"]["Webhook"]) as unknown as Json;
      expect(model, name).toStrictEqual(expected("Webhook", wire));
      expect(Object.keys(model), name).toHaveLength(Object.keys(wire).length);
      expect(
        Object.keys(model).filter((key) => key.includes("_")),
        name,
      ).toEqual([]);
      expect(model.createdAt, name).toBeInstanceOf(Date);
      expect((model.createdAt as Date).toISOString(), name).toBe(
        new Date(wire.created_at as string).toISOString(),
      );
    }
    const failing = Object.fromEntries(found).failing!;
    const model = toWebhook(failing as components["schemas"]["Webhook"]);
    expect(model.description).toBeNull();
    expect(model.lastSuccessAt).toEqual(new Date("2026-07-13T22:10:47Z"));
    const healthy = toWebhook(Object.fromEntries(found).healthy as components["schemas"]["Webhook"]);
    expect(healthy.lastDeliveryError).toBeNull();
  });

  it("every rotate example keeps its secret; converting it as a read drops the secret", () => {
    for (const [name, wire] of examples("/api/v2/webhooks/{webhook_id}/rotate", "post")) {
      const rotated = toWebhookWithSecret(wire as components["schemas"]["WebhookWithSecret"]);
      expect(rotated, name).toStrictEqual(expected("WebhookWithSecret", wire));
      expect(rotated.secret, name).toBe(wire.secret);
      expect(toWebhook(wire as components["schemas"]["Webhook"]), name).not.toHaveProperty("secret");
    }
  });

  it("every pingWebhook example becomes { responseStatus }", () => {
    for (const [name, wire] of examples("/api/v2/webhooks/{webhook_id}/ping", "post")) {
      expect(toWebhookPingResult(wire as components["schemas"]["WebhookPingResult"]), name).toStrictEqual({
        responseStatus: wire.response_status,
      });
    }
  });
});

describe("converting what the wire may hold beyond the examples", () => {
  it("null date-times stay null and absent optional fields stay absent", () => {
    const model = toWebhook({ ...seedWire(), last_delivery_at: null, last_success_at: null } as never);
    expect(model.lastDeliveryAt).toBeNull();
    expect(model.lastSuccessAt).toBeNull();
    expect(model).not.toHaveProperty("consecutiveFailures");
  });

  it("a property the spec does not list is left out (the raw client still has it)", () => {
    const model = toWebhook({ ...seedWire(), brand_new: 1 } as never);
    expect(model).not.toHaveProperty("brand_new");
    expect(model).not.toHaveProperty("brandNew");
  });

  it("a malformed timestamp becomes an Invalid Date without throwing, so rotate's secret is never lost to it", () => {
    const rotated = toWebhookWithSecret({ ...seedWire(), updated_at: "yesterday" } as never);
    expect(rotated.updatedAt).toBeInstanceOf(Date);
    expect(Number.isNaN(rotated.updatedAt.getTime())).toBe(true);
    expect(rotated.secret).toBe(seedWire().secret);
  });
});

describe("the models follow the spec", () => {
  const scratch: string[] = [];
  afterAll(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of what the models are made from, with node_modules shared by a link. */
  function copyProject(): string {
    const dir = mkdtempSync(join(tmpdir(), "models-follow-"));
    scratch.push(dir);
    for (const entry of [
      "openapi",
      "generated",
      "redocly.yaml",
      "scripts/redocly-rules.mjs",
      "scripts/generate-models.mjs",
      "scripts/build-docs.mjs",
      "src/models.ts",
    ])
      cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    return dir;
  }

  function addProperty(dir: string, yaml: string): void {
    const file = join(dir, "openapi/components/schemas/Webhook.yaml");
    writeFileSync(file, `${readFileSync(file, "utf8")}${yaml}`);
  }

  const node = (dir: string, args: string[]) =>
    spawnSync(process.execPath, args, {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        REDOCLY_TELEMETRY: "off",
        REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
        NO_COLOR: "1",
      },
    });
  const generateTypes = (dir: string) =>
    node(dir, [join(ROOT, "node_modules/openapi-typescript/bin/cli.js"), "--default-non-nullable", "false"]);
  const generateModels = (dir: string) => node(dir, [join(dir, "scripts/generate-models.mjs")]);
  /** Type-checks `uses.ts` in the copy: strict, ES2022, no ambient typings to load (they only cost time here). */
  const typecheck = (dir: string, source: string) => {
    writeFileSync(join(dir, "uses.ts"), source);
    const options = {
      strict: true,
      noEmit: true,
      target: "es2022",
      lib: ["es2022"],
      module: "nodenext",
      types: [],
    };
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: options, files: ["uses.ts"] }),
    );
    return node(dir, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
  };

  const PAUSED_AT = `  paused_at:
    type:
      - string
      - 'null'
    format: date-time
    readOnly: true
    description: When the owner paused deliveries; \`null\` while they flow.
  pause_reason:
    type: string
    description: Why deliveries are paused.
`;

  it("a new date-time and a new string property reach the type and the conversion after npm run generate", async () => {
    const dir = copyProject();
    addProperty(dir, PAUSED_AT);
    expect(generateTypes(dir).status).toBe(0);

    // Wire types regenerated, model data not yet: the copy no longer compiles, naming the disagreement.
    const stale = typecheck(dir, 'import { toWebhook } from "./src/models.js";\nvoid toWebhook;\n');
    expect(stale.status).not.toBe(0);
    expect(stale.stdout).toMatch(/src\/models\.ts.*'Agrees' does not satisfy the constraint 'true'/);

    const run = generateModels(dir);
    expect(run.stderr).toBe("");
    expect(readFileSync(join(dir, "generated/models.ts"), "utf8")).toContain(
      '{ wire: "paused_at", name: "pausedAt", dateTime: true, required: false }',
    );

    const fresh = typecheck(
      dir,
      [
        'import type { Webhook } from "./src/models.js";',
        "declare const webhook: Webhook;",
        "const pausedAt: Date | null | undefined = webhook.pausedAt;",
        "const reason: string | undefined = webhook.pauseReason;",
        "// @ts-expect-error the wire name is not on the model",
        "void webhook.paused_at;",
        "// @ts-expect-error a date-time is a Date, not a string",
        "const asText: string | null | undefined = webhook.pausedAt;",
        "void [pausedAt, reason, asText];",
        "",
      ].join("\n"),
    );
    expect(fresh.stdout).toBe("");
    expect(fresh.status).toBe(0);

    const copied = (await import(join(dir, "src/models.ts"))) as typeof import("../../src/models.js");
    const model = copied.toWebhook({
      ...seedWire(),
      paused_at: "2026-07-02T10:00:00Z",
      pause_reason: "maintenance",
    } as never) as unknown as Json;
    expect(model.pausedAt).toEqual(new Date("2026-07-02T10:00:00Z"));
    expect(model.pauseReason).toBe("maintenance");
  }, 60_000);

  it("a property the conversion cannot carry stops the generator, naming it and what to do", () => {
    const dir = copyProject();
    addProperty(
      dir,
      `  retry_policy:
    type: object
    description: How failed deliveries are retried.
    properties:
      next_attempt_at:
        type: string
        format: date-time
        description: When the next retry is due.
`,
    );
    const before = readFileSync(join(dir, "generated/models.ts"), "utf8");
    const run = generateModels(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^Webhook\.retry_policy is a nested object, which the model conversion/);
    expect(run.stderr).toContain("Extend scripts/generate-models.mjs");
    expect(readFileSync(join(dir, "generated/models.ts"), "utf8")).toBe(before);
  }, 30_000);

  it("the drift check (part of npm run check:generated) fails on a hand edit of generated/models.ts", () => {
    const edited = copyProject();
    const file = join(edited, "generated/models.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace('name: "createdAt"', 'name: "created"'));
    const run = node(edited, [join(edited, "scripts/generate-models.mjs"), "--check"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("generated/models.ts is out of date with the spec.");
  }, 30_000);
});
