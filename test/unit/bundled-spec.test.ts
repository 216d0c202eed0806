// The bundled spec (generated/openapi.json and .yaml) is what consumers' tools get: prove it is one self-contained,
// valid OpenAPI 3.1 document that says exactly what openapi/ says, and that a stale copy fails the drift check.
import { execFile } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../support/spec.js";

type Json = Record<string, unknown>;
const run = promisify(execFile);
const env = {
  ...process.env,
  REDOCLY_TELEMETRY: "off",
  REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
  NO_COLOR: "1",
};
const scratch: string[] = [];

const bundledJson = (): Json =>
  JSON.parse(readFileSync(join(ROOT, "generated/openapi.json"), "utf8")) as Json;

/** Every `$ref` value in a document, with where it sits. */
function refs(node: unknown, at = "#"): Array<{ at: string; ref: string }> {
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === "$ref" && typeof value === "string" ? [{ at, ref: value }] : refs(value, `${at}/${key}`),
  );
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe("the bundled spec", () => {
  it("is one file: every $ref is internal, the guide and the code samples are inlined text", () => {
    const spec = bundledJson();
    const all = refs(spec);
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter(({ ref }) => !ref.startsWith("#/"))).toEqual([]);

    const info = spec.info as { description: string };
    expect(info.description).toBe(readFileSync(join(ROOT, "openapi/guides/rotation.md"), "utf8"));
    const rotate = (spec.paths as Record<string, { post: { "x-codeSamples": Array<{ source: string }> } }>)[
      "/api/v2/webhooks/{webhook_id}/rotate"
    ]!;
    expect(rotate.post["x-codeSamples"].map((sample) => sample.source)).toContain(
      readFileSync(join(ROOT, "openapi/code_samples/rotate.ts"), "utf8"),
    );
  });

  it("says the same thing in JSON and in YAML", () => {
    expect(parse(readFileSync(join(ROOT, "generated/openapi.yaml"), "utf8"))).toEqual(bundledJson());
  });

  it("passes an independent OpenAPI 3.1 validator, which catches a response without its description", async () => {
    const valid = await new Validator().validate(bundledJson());
    expect(valid.errors).toBeUndefined();
    expect(valid.valid).toBe(true);

    const broken = bundledJson();
    const ok = (broken.paths as Json)["/api/v2/webhooks/{webhook_id}/rotate"] as {
      post: { responses: Record<string, Json> };
    };
    delete ok.post.responses["200"]!.description;
    const invalid = await new Validator().validate(broken);
    expect(invalid.valid).toBe(false);
    expect(JSON.stringify(invalid.errors)).toMatch(/description/);
  });

  it("generates, with openapi-typescript, exactly the types generated from openapi/", async () => {
    const out = tempDir("bundled-types-");
    const generate = (input: string, output: string) =>
      run(
        process.execPath,
        [
          join(ROOT, "node_modules/openapi-typescript/bin/cli.js"),
          join(ROOT, input),
          "--default-non-nullable",
          "false",
          "--output",
          join(out, output),
        ],
        // Not from ROOT: there redocly.yaml's x-openapi-ts would send openapi/'s output to generated/api.ts.
        { cwd: out, env },
      );
    await Promise.all([
      generate("openapi/openapi.yaml", "from-source.ts"),
      generate("generated/openapi.json", "from-json.ts"),
      generate("generated/openapi.yaml", "from-yaml.ts"),
    ]);
    const fromSource = readFileSync(join(out, "from-source.ts"), "utf8");
    expect(fromSource).toContain('"/api/v2/webhooks/{webhook_id}/rotate"');
    expect(readFileSync(join(out, "from-json.ts"), "utf8")).toBe(fromSource);
    expect(readFileSync(join(out, "from-yaml.ts"), "utf8")).toBe(fromSource);
  }, 60_000);
});

describe("the bundle drift check (scripts/bundle-spec.mjs --check)", () => {
  const bundle = (dir: string, ...args: string[]) =>
    run(process.execPath, [join(ROOT, "scripts/bundle-spec.mjs"), ...args], { cwd: dir, env }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

  it("passes on the committed bundle, fails once the spec changes, and passes again after regenerating", async () => {
    const dir = tempDir("bundle-drift-");
    for (const entry of ["openapi", "generated", "redocly.yaml"])
      cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
    expect(await bundle(dir, "--check")).toEqual({ code: 0, stderr: "" });

    appendFileSync(join(dir, "openapi/guides/rotation.md"), "\nOne more sentence in the guide.\n");
    const stale = await bundle(dir, "--check");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("generated/openapi.json and generated/openapi.yaml out of date");
    expect(stale.stderr).toContain("npm run generate");

    expect((await bundle(dir)).code).toBe(0);
    expect(await bundle(dir, "--check")).toEqual({ code: 0, stderr: "" });
    expect(readFileSync(join(dir, "generated/openapi.yaml"), "utf8")).toContain(
      "One more sentence in the guide.",
    );
  }, 60_000);
});
