// The bundled spec (generated/openapi.json and .yaml) is what consumers' tools get: prove it is one self-contained,
// valid OpenAPI 3.1 document that says exactly what openapi/ says, and that a stale copy fails the drift check.
import { execFile } from "node:child_process";
import { appendFileSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONTRACT, copyProject, generateTypes, type Json, REDOCLY_ENV, ROOT } from "../support/spec.js";

/** scripts/bundle-spec.mjs, called in this process (no type declarations: it is a plain .mjs script). */
const { bundleSpec, staleOutputs } = (await import(join(ROOT, "scripts/bundle-spec.mjs"))) as {
  bundleSpec(options: { cwd: string; check?: boolean }): Promise<string[]>;
  staleOutputs(texts: string[], cwd: string): Promise<string[]>;
};
const run = promisify(execFile);
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

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

// Every test runs at once: the drift checks come first, so their Redocly processes (about a second of start-up
// each) bundle on the other core while the later tests parse, validate and generate types in this process.
describe.concurrent("the bundled spec", { timeout: 60_000 }, () => {
  const OUTPUTS = ["generated/openapi.json", "generated/openapi.yaml"];

  it("the drift check (scripts/bundle-spec.mjs --check) fails once the spec changes, with exit code 1 and what to run", async () => {
    const dir = copyProject(scratch, CONTRACT, "bundle-drift-");
    appendFileSync(join(dir, "openapi/guides/rotation.md"), "\nOne more sentence in the guide.\n");
    const script = join(ROOT, "scripts/bundle-spec.mjs");
    const stale = await run(process.execPath, [script, "--check"], { cwd: dir, env: REDOCLY_ENV }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("generated/openapi.json and generated/openapi.yaml out of date");
    expect(stale.stderr).toContain("npm run generate");
  });

  it("the drift check catches a hand edit of the bundle; regenerating writes back exactly the committed one", async () => {
    const committed = OUTPUTS.map((file) => readFileSync(join(ROOT, file), "utf8"));
    const dir = copyProject(scratch, CONTRACT, "bundle-drift-");
    appendFileSync(join(dir, "generated/openapi.yaml"), "# edited by hand\n");
    expect(await staleOutputs(committed, dir)).toEqual(["generated/openapi.yaml"]);

    // A fresh bundle is byte for byte the committed one (so the check passes on it), and it is what gets written.
    const written = await bundleSpec({ cwd: dir });
    expect(written).toEqual(committed);
    expect(await staleOutputs(committed, dir)).toEqual([]);
  });

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
    const [fromSource, fromJson, fromYaml] = await Promise.all(
      ["openapi/openapi.yaml", "generated/openapi.json", "generated/openapi.yaml"].map((file) =>
        generateTypes(join(ROOT, file)),
      ),
    );
    expect(fromSource).toContain('"/api/v2/webhooks/{webhook_id}/rotate"');
    expect(fromJson).toBe(fromSource);
    expect(fromYaml).toBe(fromSource);
  });
});
