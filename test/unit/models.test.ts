// The SDK-shaped models: every documented example converts as the official SDK would shape it, and a property
// added to (a copy of) the spec reaches the model type and the conversion after `npm run generate`, or stops the
// generator with a message; stale generated data does not compile.
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import type { components } from "../../generated/api.js";
import { MODEL_FIELDS } from "../../generated/models.js";
import { toWebhook, toWebhookPingResult, toWebhookWithSecret } from "../../src/models.js";
import {
  CONTRACT,
  copyProject,
  generateTypes,
  type Json,
  REDOCLY_ENV,
  ROOT,
  specExample,
} from "../support/spec.js";

/** scripts/generate-models.mjs, called in this process (no type declarations: it is a plain .mjs script). */
const { generateModels } = (await import(join(ROOT, "scripts/generate-models.mjs"))) as {
  generateModels(options: { cwd: string; check?: boolean }): Promise<void>;
};

// The reference page's rotate response, the spec's RotatedWebhook example, as a standalone JSON text (so each test
// gets a fresh object).
const SEED = JSON.stringify(specExample("RotatedWebhook"));
const seedWire = (): Json => JSON.parse(SEED) as Json;

type Examples = Record<string, { value: Json }>;
type Operation = { responses: Record<string, { content: Record<string, { examples: Examples }> }> };

// The spec as consumers get it: generated/openapi.json, bundled from openapi/ (the drift check keeps it so; reading
// it costs no Redocly run). Its examples are `$ref`s into components.examples.
const spec = JSON.parse(readFileSync(join(ROOT, "generated/openapi.json"), "utf8")) as Json;

/** Follows a local `$ref` ("#/components/examples/Name") to what it points at. */
function resolved<T>(node: T | { $ref: string }): T {
  if (!(node && typeof node === "object" && "$ref" in node)) return node as T;
  const pointer = node.$ref.replace(/^#\//, "").split("/");
  return resolved(pointer.reduce<unknown>((at, key) => (at as Json)[key], spec) as T);
}

function examples(path: string, method: string): Array<[string, Json]> {
  const operation = ((spec.paths as Json)[path] as Record<string, Operation>)[method]!;
  const found = resolved(operation.responses["200"]!).content["application/json"]!.examples;
  return Object.entries(found).map(([name, example]) => [name, resolved(example).value]);
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

// The three tests run at once on their own copies: the Redocly runs of two wait while the third works in-process.
describe.concurrent("the models follow the spec", { timeout: 60_000 }, () => {
  const scratch: string[] = [];
  afterAll(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of what the models are made from: the contract, and src/models.ts beside it as in the project. */
  function copyForModels(): string {
    const dir = copyProject(scratch, [...CONTRACT, "src/models.ts"], "models-follow-");
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    return dir;
  }

  function addProperty(dir: string, yaml: string): void {
    const file = join(dir, "openapi/components/schemas/Webhook.yaml");
    writeFileSync(file, `${readFileSync(file, "utf8")}${yaml}`);
  }

  /** TypeScript's own lib files (ES2022), parsed once for both type-checks below. */
  const libFiles = new Map<string, ts.SourceFile | undefined>();

  /**
   * Type-checks `uses.ts` in the copy, in this process: strict, ES2022, no ambient typings, and no checking of
   * TypeScript's lib files (they only cost time here). Returns tsc's report, empty when it compiles.
   */
  function typecheck(dir: string, source: string): string {
    writeFileSync(join(dir, "uses.ts"), source);
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts"],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: [],
    };
    const host = ts.createCompilerHost(options);
    host.getCurrentDirectory = () => dir;
    const read = host.getSourceFile.bind(host);
    const libDir = dirname(ts.getDefaultLibFilePath(options));
    host.getSourceFile = (file, ...rest) => {
      if (dirname(file) !== libDir) return read(file, ...rest);
      if (!libFiles.has(file)) libFiles.set(file, read(file, ...rest));
      return libFiles.get(file);
    };
    const program = ts.createProgram([join(dir, "uses.ts")], options, host);
    return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), host);
  }

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
    // Two copies with the new property: `half` gets only the wire types, `dir` the whole of `npm run generate`.
    // The model data is generated for `dir` (a Redocly run) while this process makes the types and checks `half`.
    const [half, dir] = [copyForModels(), copyForModels()];
    for (const copy of [half, dir]) addProperty(copy, PAUSED_AT);
    const models = generateModels({ cwd: dir });
    const types = await generateTypes(join(dir, "openapi/openapi.yaml"));
    for (const copy of [half, dir]) writeFileSync(join(copy, "generated/api.ts"), types);

    // Wire types regenerated, model data not yet: the copy no longer compiles, naming the disagreement.
    const stale = typecheck(half, 'import { toWebhook } from "./src/models.js";\nvoid toWebhook;\n');
    expect(stale).toMatch(/src\/models\.ts.*'Agrees' does not satisfy the constraint 'true'/);

    await models;
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
    expect(fresh).toBe("");

    const copied = (await import(join(dir, "src/models.ts"))) as typeof import("../../src/models.js");
    const model = copied.toWebhook({
      ...seedWire(),
      paused_at: "2026-07-02T10:00:00Z",
      pause_reason: "maintenance",
    } as never) as unknown as Json;
    expect(model.pausedAt).toEqual(new Date("2026-07-02T10:00:00Z"));
    expect(model.pauseReason).toBe("maintenance");
  });

  it("a property the conversion cannot carry stops the generator, naming it and what to do", async () => {
    const dir = copyForModels();
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
    const failure = await generateModels({ cwd: dir }).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /^Webhook\.retry_policy is a nested object, which the model conversion/,
    );
    expect((failure as Error).message).toContain("Extend scripts/generate-models.mjs");
    expect(readFileSync(join(dir, "generated/models.ts"), "utf8")).toBe(before);
  });

  it("the drift check (part of npm run check:generated) fails on a hand edit of generated/models.ts", async () => {
    const edited = copyForModels();
    const file = join(edited, "generated/models.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace('name: "createdAt"', 'name: "created"'));
    // The script itself, as check:generated runs it: its exit code and message are what users see.
    const script = join(ROOT, "scripts/generate-models.mjs");
    const run = await promisify(execFile)(process.execPath, [script, "--check"], {
      cwd: edited,
      env: REDOCLY_ENV,
    }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("generated/models.ts is out of date with the spec.");
  });
});
