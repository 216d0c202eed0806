#!/usr/bin/env node
// `npm start`: run the mock from one esbuild bundle (dist/mock/cli.mjs), rebuilding it only when a file
// it was built from is newer than it. Plain JavaScript, so that it runs before anything is compiled.
//
// Why a bundle: Prism's packages are ~2,400 CommonJS files, 1,900 of them faker locales that Prism loads
// at start-up for dynamic bodies this mock never asks for (its fresh secrets are its own). Loading them
// cost ~2.8 s of CPU before the first answer; the bundle, with such modules loaded on first use, ~0.9 s.
// Why a freshness check: a full `npm run build` before every start took another ~2 s.
import { readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUNDLE = join(ROOT, "dist", "mock", "cli.mjs");
// Modules Prism's packages load at start-up but use only on paths this mock never takes: each is replaced
// by a stand-in that requires the real one on first use. Prism hands faker's `default` export to
// json-schema-faker at once (for dynamic bodies, which the mock makes itself), and @stoplight/http-spec
// loads postman-collection (with faker's English locale) for Postman files, while the mock reads OpenAPI.
const LOAD_ON_FIRST_USE = { "@faker-js/faker": "default", "postman-collection": "module" };
const LAZY = "load-on-first-use";

const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY; // a missing input counts as changed
  }
};

/**
 * Why the bundle in `root` must be rebuilt, or undefined when it is up to date: it is missing, or one of
 * the files it was built from (as esbuild's metafile lists them, outside node_modules), this launcher, or
 * package-lock.json (a dependency changed) is newer than it.
 */
export function staleReason(root = ROOT) {
  const bundle = join(root, "dist", "mock", "cli.mjs");
  const built = mtime(bundle);
  if (built === Number.POSITIVE_INFINITY) return "dist/mock/cli.mjs does not exist yet";
  let inputs;
  try {
    inputs = Object.keys(
      JSON.parse(readFileSync(join(root, "dist", "mock", "cli.meta.json"), "utf8")).inputs,
    );
  } catch {
    return "its list of sources (dist/mock/cli.meta.json) is missing";
  }
  // Our own files only: not node_modules, not the stand-ins (made-up "load-on-first-use:" paths).
  const sources = inputs.filter((input) => !input.includes("node_modules/") && !input.includes(":"));
  const own = [...sources, "src/mock/start.mjs", "package-lock.json"];
  const newer = own.find((input) => mtime(join(root, input)) > built);
  return newer === undefined ? undefined : `${newer} changed`;
}

/** Bundles src/mock/cli.ts with esbuild (a dev dependency, imported only when a build is needed). */
export async function buildBundle(root = ROOT) {
  const { build } = await import("esbuild");
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["src/mock/cli.ts"],
    outfile: join(root, "dist", "mock", "cli.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Several of Prism's dependencies ship a UMD `main` that requires files esbuild cannot see.
    mainFields: ["module", "main"],
    // CommonJS code inside an ES module bundle still needs `require` for Node's built-ins.
    banner: {
      js: 'import { createRequire as __mockRequire } from "node:module"; const require = __mockRequire(import.meta.url);',
    },
    metafile: true,
    logLevel: "warning",
    plugins: [
      {
        name: LAZY,
        setup(builder) {
          const filter = new RegExp(`^(${Object.keys(LOAD_ON_FIRST_USE).join("|")})$`);
          builder.onResolve({ filter }, (args) =>
            args.namespace === LAZY
              ? { path: args.path, external: true }
              : { path: args.path, namespace: LAZY },
          );
          builder.onLoad({ filter: /.*/, namespace: LAZY }, (args) => ({
            loader: "js",
            contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
const lazy = (target) => new Proxy({}, {
  get: (_, key) => target()[key],
  has: (_, key) => key in target(),
  ownKeys: () => Reflect.ownKeys(target()),
  getOwnPropertyDescriptor: (_, key) => Object.getOwnPropertyDescriptor(target(), key),
});
module.exports = ${LOAD_ON_FIRST_USE[args.path] === "default" ? "{ default: lazy(() => load().default) }" : "lazy(load)"};`,
          }));
        },
      },
    ],
  });
  const { writeFile } = await import("node:fs/promises");
  await writeFile(join(root, "dist", "mock", "cli.meta.json"), JSON.stringify(result.metafile));
}

// Run only as the program, so that tests can import staleReason without starting anything.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reason = staleReason();
  if (reason !== undefined) {
    console.log(`Building the mock (${reason})...`);
    await buildBundle();
  }
  const { runCli } = await import(pathToFileURL(BUNDLE).href);
  await runCli(process.argv.slice(2));
}
