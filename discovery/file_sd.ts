/**
 * `file_sd_configs`: target groups read from YAML/JSON files, as vmagent v1.79.5
 * does it (lib/promscrape/config.go `FileSDConfig.appendScrapeWork`):
 *
 * - `files` entries resolve against the config file's directory; an entry is a
 *   glob only when it contains `*` (then Go `filepath.Glob` syntax: `*`, `?`,
 *   `[...]`, within one path segment; dotfiles match).
 * - Every file is parsed as YAML (JSON is YAML), after `%{ENV_VAR}` expansion,
 *   strictly: a list of `{targets: [...], labels: {...}}`, nothing else.
 * - A file that cannot be read or parsed keeps the targets it gave last time
 *   (an error is logged); a glob that no longer matches a file drops them.
 * - Each target gets `__address__`, the group's labels (which may override
 *   `__address__`, as in vmagent's merge order) and `__meta_filepath`: the
 *   path with the config directory prefix stripped.
 * - `refresh_interval` does not exist in vmagent: strict parsing rejects it,
 *   otherwise it is ignored; `-promscrape.fileSDCheckInterval` (5m) applies.
 *
 * Beyond vmagent, the directories involved are watched with `fs.watch`, so
 * edits show up within ~100ms; the periodic re-read stays as the fallback.
 *
 * @module
 */

import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, sep } from "node:path";
import { asMap, stringList } from "./_parse_util.ts";
import { DirWatcher, RefreshLoop } from "./_watch.ts";
import { parseRawYaml, type RawYaml } from "./_yaml_raw.ts";
import type { Discoverer, DiscoveryContext, DiscoveryKind, SDEntry, TargetLabels } from "./types.ts";

/** One validated `file_sd_configs` entry. */
export interface FileSdConfig {
  /** File paths or globs, as written (relative ones resolve at create()). */
  readonly files: readonly string[];
}

const FIELDS = new Set(["files"]);

/** Debounce between a filesystem event and the re-read. */
const WATCH_DEBOUNCE_MS = 100;

/** The `file_sd_configs` kind; `create()` returns a {@linkcode FileSdDiscoverer}. */
export const fileSdKind: DiscoveryKind<FileSdConfig> = {
  key: "file_sd_configs",
  checkIntervalFlag: "promscrape.fileSDCheckInterval",
  defaultCheckIntervalMs: 5 * 60_000,
  parse({ raw, path, strict }: SDEntry): FileSdConfig {
    const m = asMap(raw, path, FIELDS, strict);
    return Object.freeze({ files: Object.freeze(stringList(m.files, `${path}.files`)) });
  },
  create(cfg: FileSdConfig, ctx: DiscoveryContext): Discoverer {
    return new FileSdDiscoverer("file_sd_configs", cfg, ctx);
  },
};

/**
 * The running discoverer. Reads all files at start, on every filesystem event
 * in a relevant directory, and every `ctx.checkIntervalMs`.
 */
export class FileSdDiscoverer implements Discoverer {
  readonly name: string;
  readonly #cfg: FileSdConfig;
  readonly #ctx: DiscoveryContext;
  readonly #loop: RefreshLoop;
  readonly #watcher: DirWatcher;
  /** Last good targets per file path, reused when a re-read fails. */
  #byPath = new Map<string, TargetLabels[]>();

  constructor(name: string, cfg: FileSdConfig, ctx: DiscoveryContext) {
    this.name = name;
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.#loop = new RefreshLoop(name, ctx, () => this.#round());
    this.#watcher = new DirWatcher(ctx, () => this.#loop.trigger(), WATCH_DEBOUNCE_MS);
  }

  start(onUpdate: (targets: readonly TargetLabels[]) => void): void {
    this.#loop.start(onUpdate);
  }

  stop(): void {
    this.#loop.stop();
    this.#watcher.close();
  }

  async #round(): Promise<readonly TargetLabels[]> {
    const baseDir = this.#ctx.baseDir;
    const out: TargetLabels[] = [];
    const byPath = new Map<string, TargetLabels[]>();
    const dirs = new Set<string>();
    for (const file of this.#cfg.files) {
      const pattern = isAbsolute(file) ? file : join(baseDir, file);
      let paths = [pattern];
      if (pattern.includes("*")) {
        dirs.add(staticPrefixDir(pattern));
        try {
          paths = await glob(pattern);
        } catch (e) {
          this.#ctx.log.error(
            `${this.name}: invalid pattern ${JSON.stringify(file)} in \`files\` section: ${msg(e)}; skipping it`,
          );
          continue;
        }
      }
      for (const path of paths) {
        dirs.add(dirname(path));
        let targets: TargetLabels[];
        try {
          targets = await this.#loadFile(path, baseDir);
        } catch (e) {
          const prev = this.#byPath.get(path);
          if (prev !== undefined) {
            this.#ctx.log.error(
              `${this.name}: keeping the previously loaded \`static_configs\` from ${JSON.stringify(path)} ` +
                `because of error when re-loading the file: ${msg(e)}`,
            );
            targets = prev;
          } else {
            this.#ctx.log.error(
              `${this.name}: skipping loading \`static_configs\` from ${JSON.stringify(path)} because of error: ${
                msg(e)
              }`,
            );
            continue;
          }
        }
        byPath.set(path, targets);
        for (const t of targets) out.push(t);
      }
    }
    this.#byPath = byPath;
    this.#watcher.setDirs(dirs);
    return out;
  }

  async #loadFile(path: string, baseDir: string): Promise<TargetLabels[]> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      throw new Error(`cannot read \`static_configs\` from ${JSON.stringify(path)}: ${msg(e)}`);
    }
    let groups: StaticGroup[];
    try {
      groups = decodeStaticConfigs(parseRawYaml(expandEnv(text)));
    } catch (e) {
      throw new Error(`cannot unmarshal \`static_configs\` from ${JSON.stringify(path)}: ${msg(e)}`);
    }
    // vmagent strips the config directory as a plain string prefix.
    let short = path;
    if (path.startsWith(baseDir)) {
      short = path.slice(baseDir.length);
      if (short.startsWith(sep)) short = short.slice(1);
    }
    const out: TargetLabels[] = [];
    for (const g of groups) {
      for (const target of g.targets) {
        if (target === "") {
          this.#ctx.log.error(
            `${this.name}: \`static_configs\` target in ${JSON.stringify(path)} cannot be empty; skipping it`,
          );
          continue;
        }
        out.push(Object.freeze({ __address__: target, ...g.labels, __meta_filepath: short }));
      }
    }
    return out;
  }
}

interface StaticGroup {
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

const GROUP_FIELDS = new Set(["targets", "labels"]);

/** yaml.UnmarshalStrict into `[]StaticConfig`. */
export function decodeStaticConfigs(v: RawYaml): StaticGroup[] {
  if (v === null) return [];
  if (!Array.isArray(v)) {
    throw new TypeError(`got ${typeof v === "string" ? "a string" : "a map"}; want a list of target groups`);
  }
  return v.map((g, i) => {
    const m = asMap(g, `[${i}]`, GROUP_FIELDS, true);
    const labels: Record<string, string> = {};
    const rawLabels = m.labels;
    if (rawLabels !== null && rawLabels !== undefined) {
      if (typeof rawLabels !== "object" || Array.isArray(rawLabels)) {
        throw new TypeError(`[${i}].labels: want a map of strings`);
      }
      for (const [k, x] of Object.entries(rawLabels as Record<string, RawYaml>)) {
        if (x !== null && typeof x === "object") throw new TypeError(`[${i}].labels.${k}: want a string`);
        labels[k] = x ?? "";
      }
    }
    return { targets: stringList(m.targets, `[${i}].targets`), labels };
  });
}

/** `%{ENV_VAR}` expansion of vmagent v1.79.5 (lib/envtemplate): unknown names stay as written. */
export function expandEnv(s: string): string {
  if (!s.includes("%{")) return s;
  return s.replace(/%\{([^}]*)\}/g, (whole, name: string) => process.env[name] ?? whole);
}

/** The deepest directory of `pattern` without glob metacharacters. */
function staticPrefixDir(pattern: string): string {
  let dir = dirname(pattern);
  while (hasMeta(dir)) dir = dirname(dir);
  return dir;
}

function hasMeta(s: string): boolean {
  return /[*?[\\]/.test(sep === "\\" ? s.replaceAll("\\", "") : s);
}

/** Go `filepath.Glob`: sorted matches; throws on a malformed pattern. */
export async function glob(pattern: string): Promise<string[]> {
  if (!hasMeta(pattern)) {
    try {
      await stat(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const dir = dirname(pattern);
  const re = segmentRegExp(basename(pattern));
  const dirs = hasMeta(dir) ? await glob(dir) : [dir];
  const out: string[] = [];
  for (const d of dirs) {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      continue;
    }
    names.sort();
    for (const n of names) if (re.test(n)) out.push(join(d, n));
  }
  return out;
}

/** One path segment of a Go `filepath.Match` pattern as an anchored RegExp. */
function segmentRegExp(p: string): RegExp {
  let re = "^";
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "\\" && sep !== "\\") {
      i++;
      if (i >= p.length) throw new SyntaxError("syntax error in pattern");
      re += escapeRe(p[i] as string);
    } else if (c === "[") {
      let j = i + 1;
      let cls = "[";
      if (p[j] === "^") {
        cls += "^";
        j++;
      }
      for (; j < p.length && p[j] !== "]"; j++) {
        let ch = p[j] as string;
        if (ch === "-") {
          // A range operator between two characters; anything else is malformed, as in Go.
          if (cls.endsWith("[") || cls.endsWith("^") || p[j + 1] === "]" || j + 1 >= p.length) {
            throw new SyntaxError("syntax error in pattern");
          }
          cls += "-";
          continue;
        }
        if (ch === "\\" && sep !== "\\") {
          j++;
          if (j >= p.length) throw new SyntaxError("syntax error in pattern");
          ch = p[j] as string;
        }
        cls += escapeRe(ch);
      }
      if (j >= p.length || cls === "[" || cls === "[^") throw new SyntaxError("syntax error in pattern");
      re += `${cls}]`;
      i = j;
    } else re += escapeRe(c);
  }
  return new RegExp(`${re}$`, "s");
}

function escapeRe(c: string): string {
  return c.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
