// The MSW entry as a consumer gets it: the package packed and installed into empty projects (global-setup.ts),
// one without msw (the main entry must not need it), then with the oldest msw the peer range allows, where
// `setupServer(...handlers)` lets the seed page's TypeScript example print the example secret with no
// server running and no HAI_BASE_URL.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { ROOT } from "../support/spec.js";

const ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const EXAMPLE_SECRET = "whsec_nZbY0eXaMpLeOnLyDoNotUse0aQ3rT5uV7wX9yZ1aB3c";
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

const { consumer, mswConsumer, mswVersion } = inject("packed");

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(command, args, {
      cwd,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

/** What node prints for `code`, run as an ES module in the consumer, or the error it fails with. */
function probe(code: string): string {
  try {
    return run(process.execPath, ["--input-type=module", "-e", code], consumer).trim();
  } catch (error) {
    return (error as Error).message;
  }
}

describe("a consumer project", () => {
  it("uses the main entry without msw installed, and gets a clear failure only from the msw entry", () => {
    expect(existsSync(join(consumer, "node_modules/msw"))).toBe(false);
    expect(
      probe('const m = await import("hai-webhook-rotate"); console.log(typeof m.HaiAgentsClient);'),
    ).toBe("function");
    expect(probe('await import("hai-webhook-rotate/msw");')).toMatch(/Cannot find package 'msw'/);
  });

  it("runs the seed's TypeScript example against setupServer(...handlers), no server, no HAI_BASE_URL", () => {
    // The seed page's example, unchanged but for the package name.
    writeFileSync(
      join(mswConsumer, "seed.ts"),
      [
        'import { HaiAgentsClient } from "hai-webhook-rotate";',
        "",
        "const client = new HaiAgentsClient(); // reads HAI_API_KEY from the environment",
        "",
        `const webhook = await client.webhooks.rotateWebhookSecret({ webhookId: "${ID}" });`,
        "console.log(webhook.secret); // store it now; it is never returned again",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(mswConsumer, "mocks.ts"),
      [
        'import { setupServer } from "msw/node";',
        'import { handlers } from "hai-webhook-rotate/msw";',
        "",
        'setupServer(...handlers).listen({ onUnhandledRequest: "error" });',
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(mswConsumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          lib: ["ES2022", "DOM"],
          strict: true,
          skipLibCheck: true,
          types: [],
          outDir: "out",
        },
        files: ["seed.ts", "mocks.ts"],
      }),
    );
    expect(run(process.execPath, [TSC, "-p", "."], mswConsumer)).toBe("");

    const env: NodeJS.ProcessEnv = { ...process.env, HAI_API_KEY: "hk-consumer-test" };
    delete env.HAI_BASE_URL;
    expect(run(process.execPath, ["--import", "./out/mocks.js", "out/seed.js"], mswConsumer, env)).toBe(
      `${EXAMPLE_SECRET}\n`,
    );
    expect(JSON.parse(readFileSync(join(mswConsumer, "node_modules/msw/package.json"), "utf8")).version).toBe(
      mswVersion,
    );
  });
});
