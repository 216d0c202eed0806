// What `npm run docs` writes, checked without a browser: a page that carries everything it needs, and a bundled
// spec that others can import on its own. A build is kept only while its sources are unchanged, and broken inputs
// must stop the build with a message saying what broke, leaving the docs that were there before.
import { createHash } from "node:crypto";
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { copyDocsProject, DOCS_DIR, PAGE, runBuild } from "./support/docs-build.js";

type Doc = Record<string, unknown>;

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) refsIn(item, found);
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key === "$ref" && typeof item === "string") found.push(item);
      else refsIn(item, found);
    }
  }
  return found;
}

/** The spec the page renders, as embedded in its inline hydration script. */
function embeddedDefinition(html: string): Doc {
  const match = /const __redoc_definition = (.*);\n/.exec(html);
  if (!match?.[1])
    throw new Error("The page no longer embeds __redoc_definition; update this test's reader.");
  return JSON.parse(match[1]) as Doc;
}

describe("npm run docs", () => {
  let html: string;
  let yamlSpec: Doc;
  let jsonSpec: Doc;

  // The docs project's global setup has just run `npm run docs` here.
  beforeAll(() => {
    html = readFileSync(PAGE, "utf8");
    yamlSpec = parseYaml(readFileSync(join(DOCS_DIR, "openapi.yaml"), "utf8")) as Doc;
    jsonSpec = JSON.parse(readFileSync(join(DOCS_DIR, "openapi.json"), "utf8")) as Doc;
  });

  it("writes exactly the page, the two spec files and its record of the sources, and no working files", () => {
    expect(readdirSync(DOCS_DIR).sort()).toEqual([".sources", "index.html", "openapi.json", "openapi.yaml"]);
  });

  it("carries Redoc inline, with no script, stylesheet or module to fetch from anywhere", () => {
    const module = /<script type="module">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    // Redoc itself (megabytes of it) sits in the page's own module script, which then hydrates the page.
    expect(module.length).toBeGreaterThan(1_000_000);
    expect(module).toContain("hydrate(__redoc_definition");
    expect(html).not.toMatch(/<script\b[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<link\b[^>]*href=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/\bfrom\s*["'`]https?:\/\//);
    expect(html).not.toContain("cdn.redoc.ly");
  });

  it("sends no telemetry from the page", () => {
    expect(html).toMatch(/"disableTelemetry":true/);
  });

  it("publishes the bundle as one self-contained file: every $ref points inside it", () => {
    const refs = refsIn(jsonSpec);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => !ref.startsWith("#/"))).toEqual([]);
  });

  it("publishes the same bundle as YAML and as JSON", () => {
    expect(yamlSpec).toEqual(jsonSpec);
  });

  it("bundles the whole contract: the rotate operation, the delivery webhook and the guide", () => {
    const paths = jsonSpec.paths as Record<string, { post?: { operationId?: string } }>;
    expect(paths["/api/v2/webhooks/{webhook_id}/rotate"]?.post?.operationId).toBe("rotateWebhookSecret");
    expect(Object.keys(jsonSpec.webhooks as Doc)).toEqual(["webhookDelivery"]);
    expect((jsonSpec.info as { description: string }).description).toContain(
      "## How to rotate without missing a verification",
    );
  });

  it("documents on the page exactly the spec it offers for download", () => {
    expect(embeddedDefinition(html)).toEqual(jsonSpec);
  });
});

describe.concurrent("npm run docs again, in a copy of the project that holds its current build", () => {
  it("keeps the build when no source changed, says so, and does not run Redocly at all", async () => {
    await withBuiltCopy({ redocly: "refusing" }, async (root, published) => {
      const run = await runBuild(root);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain("API reference already built from these exact sources, kept");
      expect(published()).toEqual(publishedIn(DOCS_DIR));
    });
  });

  it("builds again when a published file no longer matches what the build recorded", async () => {
    await withBuiltCopy({ redocly: "refusing" }, async (root, published) => {
      writeFileSync(join(root, "dist/docs/openapi.json"), "{}");
      const before = published();
      const run = await runBuild(root);
      expect(run.status).toBe(1);
      // Either run may be the first to fail; it stops the other.
      expect(run.stderr).toMatch(/Redocly was run: (bundle|build-docs) rotate/);
      // The failed build publishes nothing, not even over a file it would have replaced.
      expect(published()).toEqual(before);
    });
  });

  it("stops on a spec that does not parse, naming the file, and keeps the docs it had", async () => {
    await withBuiltCopy({ redocly: "real" }, async (root, published) => {
      appendFileSync(join(root, "openapi/components/schemas/DetailError.yaml"), "broken: [\n");
      const run = await runBuild(root);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/redocly bundle failed/);
      expect(run.stderr).toMatch(/DetailError\.yaml/);
      expect(run.stderr, "Redocly's Node 20 banner is noise here").not.toMatch(
        /Node\.js 20 support is ending/,
      );
      expect(published()).toEqual(publishedIn(DOCS_DIR));
    });
  });

  it("refuses a page that would load a script from the network", async () => {
    await withBuiltCopy({ redocly: "real" }, async (root, published) => {
      const template = join(root, "docs/redoc-template.hbs");
      const remote = '<script src="https://cdn.example.com/widget.js"></script>';
      writeFileSync(template, readFileSync(template, "utf8").replace("<body>", `<body>${remote}`));
      const run = await runBuild(root);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("would not work offline");
      expect(run.stderr).toContain(remote);
      expect(published()).toEqual(publishedIn(DOCS_DIR));
    });
  });
});

/** Every entry of a docs folder with a hash of its content: a working folder left behind shows, as does a change. */
function publishedIn(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true }).map((entry) => [
      entry.name,
      entry.isFile()
        ? createHash("sha256")
            .update(readFileSync(join(dir, entry.name)))
            .digest("hex")
        : "a folder",
    ]),
  );
}

async function withBuiltCopy(
  { redocly }: { redocly: "real" | "refusing" },
  scenario: (root: string, published: () => Record<string, string>) => Promise<void>,
): Promise<void> {
  const copy = copyDocsProject({ built: true, redocly });
  try {
    await scenario(copy.root, () => publishedIn(join(copy.root, "dist", "docs")));
  } finally {
    copy.remove();
  }
}
