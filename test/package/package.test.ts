// The package as a consumer gets it: packed, installed into an empty project (global-setup.ts), imported
// by name.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, inject, it } from "vitest";
import { ROOT } from "../support/spec.js";

const { consumer, files: packedFiles } = inject("packed");

// Everything the tarball may hold: the build (JavaScript, declarations, source maps), the generated wire types
// the declarations import (and the bundled spec, if a module imports it), the bundled spec, and npm's own files.
// Anything else is a leak.
const SHIPPABLE =
  /^(dist\/src\/.+\.(js|d\.ts|js\.map)|dist\/generated\/(api\.d\.ts|openapi\.json|models\.(js|d\.ts|js\.map))|generated\/openapi\.(json|yaml)|package\.json|README\.md|LICENSE)$/;

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    // Show what the tool printed (tsc reports on stdout), not just "Command failed".
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

describe("the published package", () => {
  it("ships the build, the generated types and the bundled spec, and nothing else", () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        "dist/src/index.js",
        "dist/src/index.d.ts",
        "dist/src/webhooks/index.js",
        "dist/generated/api.d.ts",
        "generated/openapi.json",
        "generated/openapi.yaml",
      ]),
    );
    expect(packedFiles.filter((path) => !SHIPPABLE.test(path) || path.startsWith("dist/src/mock/"))).toEqual(
      [],
    );
  });

  it("ships source maps that carry their sources, since src/ is not in the package", () => {
    const maps = packedFiles.filter((path) => path.endsWith(".js.map"));
    expect(maps.length).toBeGreaterThan(0);
    for (const path of maps) {
      const map = JSON.parse(
        readFileSync(join(consumer, "node_modules/hai-webhook-rotate", path), "utf8"),
      ) as { sources: string[]; sourcesContent?: Array<string | null> };
      expect(map.sourcesContent?.length, path).toBe(map.sources.length);
      expect(
        map.sourcesContent?.every((text) => typeof text === "string" && text.length > 0),
        path,
      ).toBe(true);
    }
  });

  it("imports every entry point by name at runtime", () => {
    const script = [
      'import { readFileSync } from "node:fs";',
      'import * as client from "hai-webhook-rotate";',
      'import * as webhooks from "hai-webhook-rotate/webhooks";',
      'import spec from "hai-webhook-rotate/openapi.json" with { type: "json" };',
      'const yaml = readFileSync(new URL(import.meta.resolve("hai-webhook-rotate/openapi.yaml")), "utf8");',
      "console.log(JSON.stringify({",
      "  client: Object.keys(client).sort(),",
      "  webhooks: Object.keys(webhooks).sort(),",
      "  spec,",
      "  yaml,",
      "}));",
    ].join("\n");
    writeFileSync(join(consumer, "probe.mjs"), script);
    const exported = JSON.parse(run(process.execPath, ["probe.mjs"], consumer)) as {
      client: string[];
      webhooks: string[];
      spec: unknown;
      yaml: string;
    };
    expect(exported.client).toEqual(
      expect.arrayContaining(["HaiAgentsClient", "createRotateClient", "NotFoundError"]),
    );
    expect(exported.webhooks).toEqual(expect.arrayContaining(["verifyWebhook", "WebhookVerificationError"]));
    expect(exported.webhooks).not.toContain("HaiAgentsClient");
    expect(exported.spec).toEqual(JSON.parse(readFileSync(join(ROOT, "generated/openapi.json"), "utf8")));
    expect(exported.yaml).toBe(readFileSync(join(ROOT, "generated/openapi.yaml"), "utf8"));
  });

  it("loads every entry point with require() (Node >= 20.19 loads ESM through the default condition)", () => {
    const script = [
      'const client = require("hai-webhook-rotate");',
      'const webhooks = require("hai-webhook-rotate/webhooks");',
      'const spec = require("hai-webhook-rotate/openapi.json");',
      'const yamlPath = require.resolve("hai-webhook-rotate/openapi.yaml");',
      "console.log(JSON.stringify({",
      "  client: typeof client.HaiAgentsClient,",
      "  webhooks: typeof webhooks.verifyWebhook,",
      "  openapi: spec.openapi,",
      '  yaml: yamlPath.endsWith("openapi.yaml"),',
      "}));",
    ].join("\n");
    writeFileSync(join(consumer, "probe.cjs"), script);
    expect(JSON.parse(run(process.execPath, ["probe.cjs"], consumer))).toEqual({
      client: "function",
      webhooks: "function",
      openapi: "3.1.0",
      yaml: true,
    });
  });

  it("type-checks a consumer written against the seed example under NodeNext", () => {
    writeFileSync(
      join(consumer, "seed.ts"),
      [
        'import { HaiAgentsClient, NotFoundError, type WebhookWithSecret } from "hai-webhook-rotate";',
        'import { verifyWebhook } from "hai-webhook-rotate/webhooks";',
        'import spec from "hai-webhook-rotate/openapi.json" with { type: "json" };',
        "const client = new HaiAgentsClient();",
        'const webhook: WebhookWithSecret = await client.webhooks.rotateWebhookSecret({ webhookId: "f47ac10b-58cc-4372-a567-0e02b2c3d479" });',
        "const secret: string = webhook.secret;",
        'const rotatePath: string = Object.keys(spec.paths)[0] ?? "";',
        "export { secret, verifyWebhook, NotFoundError, rotatePath };",
      ].join("\n"),
    );
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          strict: true,
          resolveJsonModule: true,
          noEmit: true,
          types: [],
        },
        files: ["seed.ts"],
      }),
    );
    expect(run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], consumer)).toBe(
      "",
    );
  }, 60_000); // a full tsc run with lib checking: seconds on a busy 2-core machine

  it("bundles the client for a browser without any Node built-in", async () => {
    writeFileSync(
      join(consumer, "browser.js"),
      'export { HaiAgentsClient, createRotateClient } from "hai-webhook-rotate";\n',
    );
    const result = await build({
      entryPoints: [join(consumer, "browser.js")],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes("openapi-fetch"))).toBe(true);
    expect(inputs.filter((path) => path.startsWith("node:") || path.includes("/webhooks/"))).toEqual([]);
  });
});
