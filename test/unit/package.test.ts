// The package as a consumer gets it: packed, installed into an empty project, imported by name.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/spec.js";

let consumer: string;
let packedFiles: string[];

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    // Show what the tool printed (tsc reports on stdout), not just "Command failed".
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/src/index.js")))
    throw new Error("dist/ is missing: run `npm run build` first.");
  consumer = mkdtempSync(join(tmpdir(), "rotate-consumer-"));
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", consumer], ROOT)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  packedFiles = packed[0]!.files.map((file) => file.path);
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  run(
    "npm",
    [
      "install",
      join(consumer, packed[0]!.filename),
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
    ],
    consumer,
  );
}, 120_000);

afterAll(() => {
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

describe("the published package", () => {
  it("ships the build, the generated types and the spec, and nothing from tests or sources", () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining(["dist/src/index.js", "dist/src/index.d.ts", "openapi/openapi.yaml"]),
    );
    expect(packedFiles.filter((path) => /^(test|src|bench)\//.test(path))).toEqual([]);
  });

  it("imports both entry points by name at runtime", () => {
    const script = [
      'import * as client from "hai-webhook-rotate";',
      'import * as webhooks from "hai-webhook-rotate/webhooks";',
      "console.log(JSON.stringify({ client: Object.keys(client).sort(), webhooks: Object.keys(webhooks).sort() }));",
    ].join("\n");
    writeFileSync(join(consumer, "probe.mjs"), script);
    const exported = JSON.parse(run(process.execPath, ["probe.mjs"], consumer)) as {
      client: string[];
      webhooks: string[];
    };
    expect(exported.client).toEqual(
      expect.arrayContaining(["HaiAgentsClient", "createRotateClient", "NotFoundError"]),
    );
    expect(exported.webhooks).toEqual(expect.arrayContaining(["verifyWebhook", "WebhookVerificationError"]));
    expect(exported.webhooks).not.toContain("HaiAgentsClient");
  });

  it("type-checks a consumer written against the seed example under NodeNext", () => {
    writeFileSync(
      join(consumer, "seed.ts"),
      [
        'import { HaiAgentsClient, NotFoundError, type WebhookWithSecret } from "hai-webhook-rotate";',
        'import { verifyWebhook } from "hai-webhook-rotate/webhooks";',
        "const client = new HaiAgentsClient();",
        'const webhook: WebhookWithSecret = await client.webhooks.rotateWebhookSecret({ webhookId: "f47ac10b-58cc-4372-a567-0e02b2c3d479" });',
        "const secret: string = webhook.secret;",
        "export { secret, verifyWebhook, NotFoundError };",
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
          noEmit: true,
          types: [],
        },
        files: ["seed.ts"],
      }),
    );
    expect(run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], consumer)).toBe(
      "",
    );
  });

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
