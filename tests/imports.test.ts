/**
 * The layer rules of docs/architecture.md, checked on the relative imports
 * of every non-test .ts file (a small version of std's `lint:circular`):
 *
 * - sharding/ imports neither promscrape/ nor discovery/;
 * - discovery/ does not import promscrape/;
 * - promauth/ imports none of promscrape/, discovery/, remotewrite/;
 * - promscrape/ does not import workers/ (workers/ imports promscrape/);
 * - nothing imports main.ts;
 * - no import cycle between top-level folders.
 *
 * Type-only imports count: they tie the layers together as much as values do.
 */

import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

/** One relative import: `file` (repo-relative) imports `target` (repo-relative), as written at `line`. */
interface Import {
  readonly file: string;
  readonly line: number;
  readonly spec: string;
  readonly target: string;
}

/** Folders a top-level folder must not import, by importer. */
const FORBIDDEN: ReadonlyMap<string, readonly string[]> = new Map([
  ["sharding", ["promscrape", "discovery"]],
  ["discovery", ["promscrape"]],
  ["promauth", ["promscrape", "discovery", "remotewrite"]],
  ["promscrape", ["workers"]],
]);

const SKIP_DIRS = new Set(["node_modules", "dist", ".git"]);

const IMPORT_REGEXPS = [
  /^[ \t]*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm,
  /^[ \t]*import\s*["']([^"']+)["']/gm,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

/** The relative imports of `source`, the text of `file`. */
function relativeImports(file: string, source: string): Import[] {
  const out: Import[] = [];
  for (const re of IMPORT_REGEXPS) {
    for (const m of source.matchAll(re)) {
      const spec = m[1]!;
      if (!spec.startsWith(".")) continue;
      const line = source.slice(0, m.index + m[0].length).split("\n").length;
      out.push({ file, line, spec, target: normalize(join(dirname(file), spec)) });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

/** `promscrape/config.ts` → `promscrape`; a file at the top (`main.ts`) is its own room. */
function roomOf(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? path : path.slice(0, slash);
}

const where = (i: Import): string => `${i.file}:${i.line} imports "${i.spec}"`;

/** Broken rules, one line each, naming the file and the import. */
function ruleViolations(imports: readonly Import[]): string[] {
  const out: string[] = [];
  for (const i of imports) {
    const from = roomOf(i.file);
    const to = roomOf(i.target);
    if (i.target === "main.ts") out.push(`${where(i)}: nothing may import main.ts`);
    if (from !== to && FORBIDDEN.get(from)?.includes(to)) out.push(`${where(i)}: ${from}/ must not import ${to}/`);
  }
  return out;
}

/** Every cycle between rooms (one per strongly connected set), with an import for each step. */
function roomCycles(imports: readonly Import[]): string[] {
  const edges = new Map<string, Map<string, Import>>();
  for (const i of imports) {
    const from = roomOf(i.file);
    const to = roomOf(i.target);
    if (from === to) continue;
    let m = edges.get(from);
    if (m === undefined) edges.set(from, m = new Map());
    if (!m.has(to)) m.set(to, i);
  }
  const out: string[] = [];
  for (const scc of stronglyConnected(edges)) {
    if (scc.length < 2) continue;
    const inScc = new Set(scc);
    const start = [...scc].sort()[0]!;
    // Shortest way from `start` back to itself inside the set.
    const prev = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0 && !prev.has(start)) {
      const n = queue.shift()!;
      for (const next of edges.get(n)?.keys() ?? []) {
        if (!inScc.has(next) || prev.has(next)) continue;
        prev.set(next, n);
        queue.push(next);
      }
    }
    const path = [start];
    for (let n = prev.get(start)!; n !== start; n = prev.get(n)!) path.unshift(n);
    path.unshift(start);
    const steps = path.slice(1).map((to, k) => where(edges.get(path[k]!)!.get(to)!));
    out.push(`import cycle ${path.join(" → ")}: ${steps.join("; ")}`);
  }
  return out;
}

/** Tarjan's algorithm. */
function stronglyConnected(edges: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    for (let w = ""; w !== v;) {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    }
    out.push(scc);
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** The relative imports of every non-test .ts file under `root`. */
function repoImports(root: string): Import[] {
  const out: Import[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = dir === "" ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith(".")) walk(path);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts")) {
        out.push(...relativeImports(path, readFileSync(join(root, path), "utf8")));
      }
    }
  };
  walk("");
  return out;
}

describe("the repository", () => {
  const imports = repoImports(join(import.meta.dir, ".."));

  test("sees the imports", () => {
    expect(imports.some((i) => i.file === "main.ts" && roomOf(i.target) === "workers")).toBe(true);
  });

  test("keeps the layer rules", () => {
    expect(ruleViolations(imports)).toEqual([]);
  });

  test("has no import cycle between top-level folders", () => {
    expect(roomCycles(imports)).toEqual([]);
  });
});

describe("the checker", () => {
  const tree = (files: Record<string, string>) => Object.entries(files).flatMap(([f, src]) => relativeImports(f, src));

  test("relativeImports() reads static, re-export, side-effect and dynamic imports", () => {
    const src = [
      `import { a } from "./a.ts";`,
      `import type {`,
      `  B,`,
      `} from "../b/b.ts";`,
      `export { c } from "./c.ts";`,
      `import "./d.ts";`,
      `const e = await import("../e/e.ts");`,
      `import { x } from "yaml";`,
      ` * import { f } from "./f.ts"; (a comment)`,
    ].join("\n");
    expect(relativeImports("x/y.ts", src).map((i) => [i.line, i.target])).toEqual([
      [1, "x/a.ts"],
      [4, "b/b.ts"],
      [5, "x/c.ts"],
      [6, "x/d.ts"],
      [7, "e/e.ts"],
    ]);
  });

  test("ruleViolations() names the file and the import", () => {
    const got = ruleViolations(
      tree({
        "sharding/plan.ts":
          `import { loadScrapeConfig } from "../promscrape/config.ts";\nimport type { T } from "../discovery/types.ts";`,
        "discovery/a.ts": `import { x } from "../promscrape/targets.ts";`,
        "promauth/a.ts": `import { x } from "../remotewrite/client.ts";`,
        "promscrape/a.ts": `import { x } from "../workers/pool.ts";`,
        "server/a.ts": `import { main } from "../main.ts";`,
        "workers/a.ts": `import { x } from "../promscrape/target_loop.ts";`,
      }),
    );
    expect(got).toEqual([
      `sharding/plan.ts:1 imports "../promscrape/config.ts": sharding/ must not import promscrape/`,
      `sharding/plan.ts:2 imports "../discovery/types.ts": sharding/ must not import discovery/`,
      `discovery/a.ts:1 imports "../promscrape/targets.ts": discovery/ must not import promscrape/`,
      `promauth/a.ts:1 imports "../remotewrite/client.ts": promauth/ must not import remotewrite/`,
      `promscrape/a.ts:1 imports "../workers/pool.ts": promscrape/ must not import workers/`,
      `server/a.ts:1 imports "../main.ts": nothing may import main.ts`,
    ]);
  });

  test("roomCycles() reports each cycle with an import per step", () => {
    const got = roomCycles(
      tree({
        "a/x.ts": `import { y } from "../b/y.ts";`,
        "b/y.ts": `import { z } from "../c/z.ts";`,
        "c/z.ts": `import { x } from "../a/x.ts";\nimport { w } from "../d/w.ts";`,
        "d/w.ts": `import { v } from "./v.ts";`,
        "e/u.ts": `import { v } from "../d/w.ts";`,
      }),
    );
    expect(got).toEqual([
      `import cycle a → b → c → a: a/x.ts:1 imports "../b/y.ts"; b/y.ts:1 imports "../c/z.ts"; c/z.ts:1 imports "../a/x.ts"`,
    ]);
  });
});
