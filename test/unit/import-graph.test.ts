// No module of src/ imports itself through others: a circle makes load order matter, and once made
// src/mock/ load Prism where it was not needed (prism -> sandbox -> server -> prism).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/spec.js";

const SRC = join(ROOT, "src");

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.mts") ? [path] : [];
  });
}

/** Relative imports of `file` inside src/, as paths of source files (type-only imports included). */
function importsOf(file: string, known: Set<string>): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map(
    ([, specifier]) => specifier as string,
  );
  return specifiers
    .map((specifier) => resolve(dirname(file), specifier).replace(/\.js$/, ".ts"))
    .filter((path) => known.has(path));
}

/** Every circle in the graph, each as the list of files it passes through. */
function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (file: string, path: string[]) => {
    state.set(file, "open");
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") found.push([...path.slice(path.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next, [...path, next]);
    }
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
  return found;
}

describe("src/ imports", () => {
  it("form no circle", () => {
    const files = sourceFiles(SRC);
    const known = new Set(files);
    const graph = new Map(files.map((file) => [file, importsOf(file, known)]));
    expect([...graph.values()].flat().length).toBeGreaterThan(10); // the reading found the imports
    const named = circles(graph).map((circle) => circle.map((file) => relative(ROOT, file)).join(" -> "));
    expect(named).toEqual([]);
  });
});
