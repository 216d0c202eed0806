// What `npm run docs` writes, checked without a browser: a page that carries everything it needs, and a bundled
// spec that others can import on its own. Broken inputs must stop the build with a message saying what broke.
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { buildDocs, copyDocsProject, DOCS_DIR, PAGE, runBuild } from "./support/docs-build.js";

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

  beforeAll(() => {
    buildDocs();
    html = readFileSync(PAGE, "utf8");
    yamlSpec = parseYaml(readFileSync(join(DOCS_DIR, "openapi.yaml"), "utf8")) as Doc;
    jsonSpec = JSON.parse(readFileSync(join(DOCS_DIR, "openapi.json"), "utf8")) as Doc;
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

describe("npm run docs in a fresh copy of the project", () => {
  it("writes exactly the page and the two spec files, and no working files", () => {
    withCopy((root) => {
      expect(runBuild(root).status).toBe(0);
      expect(readdirSync(join(root, "dist", "docs")).sort()).toEqual([
        "index.html",
        "openapi.json",
        "openapi.yaml",
      ]);
    });
  });

  it("stops on a spec that does not parse, naming the file, and publishes nothing", () => {
    withCopy((root) => {
      appendFileSync(join(root, "openapi/components/schemas/DetailError.yaml"), "broken: [\n");
      const run = runBuild(root);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/redocly bundle failed/);
      expect(run.stderr).toMatch(/DetailError\.yaml/);
      expect(run.stderr, "Redocly's Node 20 banner is noise here").not.toMatch(
        /Node\.js 20 support is ending/,
      );
      expect(readdirSync(join(root, "dist", "docs"))).toEqual([]);
    });
  });

  it("refuses a page that would load a script from the network", () => {
    withCopy((root) => {
      const template = join(root, "docs/redoc-template.hbs");
      const remote = '<script src="https://cdn.example.com/widget.js"></script>';
      writeFileSync(template, readFileSync(template, "utf8").replace("<body>", `<body>${remote}`));
      const run = runBuild(root);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("would not work offline");
      expect(run.stderr).toContain(remote);
      expect(readdirSync(join(root, "dist", "docs"))).toEqual([]);
    });
  });
});

function withCopy(scenario: (root: string) => void): void {
  const copy = copyDocsProject();
  try {
    scenario(copy.root);
  } finally {
    copy.remove();
  }
}
