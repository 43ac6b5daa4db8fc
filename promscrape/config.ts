/**
 * The `-promscrape.config` loader: a vmagent-compatible Prometheus config file (local path or
 * http(s) URL) → frozen, typed {@linkcode ScrapeJob}s.
 *
 * Behaviour follows current vmagent (lib/promscrape/config.go):
 * - `%{ENV_VAR}` placeholders are substituted in the raw text first; a missing variable is an error.
 * - Only `global`, `scrape_configs` and `scrape_config_files` are allowed at the top level; in
 *   strict mode (the default) Prometheus-only sections such as `rule_files`, `alerting` or
 *   `remote_write` are rejected exactly as vmagent rejects them (verified against v1.79.5).
 * - `scrape_config_files` entries are globs (when they contain `*`) or http(s) URLs, relative to
 *   the config file's directory; each holds a list of scrape_configs. An unreadable entry is
 *   logged and skipped (as current vmagent does; v1.79.5 failed instead).
 * - Invalid jobs fail the whole load, as in v1.79.5. (Current vmagent logs and skips them; failing
 *   is safer for a config check and keeps -dryRun meaningful.)
 *
 * @module
 */

import { dirname, isAbsolute, resolve } from "node:path";
import YAML, { LineCounter } from "yaml";
import type { PromscrapeConfig } from "../config/flags.ts";
import { Logger } from "../log/logger.ts";
import { type CompiledRelabelRules, parseRelabelConfigs } from "../relabel/apply.ts";
import { maskURL, resolveFile } from "../promauth/config.ts";
import { DEFAULT_JOB_FLAGS, type JobFlagDefaults, parseScrapeJob, type ScrapeJob } from "./_config_job.ts";
import { duration, fields, int, list, strList, strMap, toJS, type YamlCtx, type YNode } from "../config/yaml.ts";
import { DISCOVERY_KINDS } from "../discovery/registry.ts";
import type { DiscoveryKind } from "../discovery/types.ts";

export {
  type JobFlagDefaults,
  postableJob,
  type PostableScrapeJob,
  type ScrapeJob,
  type SDConfigEntry,
  type StaticConfig,
} from "./_config_job.ts";

/** Thrown by {@linkcode loadScrapeConfig}; `message` is ready to print, `cause` holds the detail. */
export class ScrapeConfigError extends Error {
  override name = "ScrapeConfigError";
}

export interface LoadScrapeConfigOptions {
  /** Reject unknown fields (-promscrape.config.strictParse); otherwise log and ignore them. */
  readonly strictParse: boolean;
  /** For `%{ENV_VAR}` substitution. */
  readonly env: Record<string, string | undefined>;
  /** Used for http(s) sources; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** -promscrape.* flag values that set per-job defaults; vmagent's defaults when omitted. */
  readonly flags?: Partial<JobFlagDefaults>;
  /** Defaults to DISCOVERY_KINDS; injectable for tests. */
  readonly discoveryKinds?: ReadonlyMap<string, DiscoveryKind>;
  readonly log?: { warn(m: string): void; error(m: string): void };
}

export interface GlobalScrapeSettings {
  readonly scrapeIntervalMs: number;
  readonly scrapeTimeoutMs: number;
  /** Sorted by name, as vmagent stores them. */
  readonly externalLabels: readonly (readonly [string, string])[];
  /** Defaults for jobs without their own (newer vmagent `global` options). */
  readonly sampleLimit: number;
  readonly labelLimit: number;
  /** `global.relabel_configs` / `global.metric_relabel_configs` (newer vmagent); see ScrapeJob. */
  readonly relabelConfigs: CompiledRelabelRules;
  readonly relabelConfigsRaw: unknown;
  readonly metricRelabelConfigs: CompiledRelabelRules;
  readonly metricRelabelConfigsRaw: unknown;
}

/** A loaded config. Frozen, except that the compiled relabel rules keep their caches. */
export interface LoadedScrapeConfig {
  readonly global: GlobalScrapeSettings;
  readonly jobs: readonly ScrapeJob[];
  /** Directory relative paths were resolved against (SD kinds need it too). */
  readonly baseDir: string;
  /** The effective config as YAML for /config: env substituted, scrape_config_files inlined, secrets as `<secret>`. */
  readonly sourceText: string;
  /** Every file or URL read (main config first), for reload checks. */
  readonly files: readonly string[];
}

const DEFAULT_SCRAPE_INTERVAL_MS = 60_000;
const DEFAULT_SCRAPE_TIMEOUT_MS = 10_000;
const TOP_FIELDS = new Set(["global", "scrape_configs", "scrape_config_files"]);
const GLOBAL_FIELDS = new Set([
  "scrape_interval",
  "scrape_timeout",
  "external_labels",
  "sample_limit",
  "label_limit",
  "relabel_configs",
  "metric_relabel_configs",
]);
const ENV_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_\-.]*$/;
const URL_RE = /^https?:\/\//i;

/**
 * Loads and validates `-promscrape.config`.
 * @param source a file path or an http(s) URL.
 * @throws ScrapeConfigError whose message names the source and the YAML path of the problem.
 */
export async function loadScrapeConfig(source: string, opts: LoadScrapeConfigOptions): Promise<LoadedScrapeConfig> {
  const log = opts.log ?? new Logger("promscrape/config");
  const fetchFn = opts.fetch ?? fetch;
  const isURL = URL_RE.test(source);
  const mainFile = isURL ? source : resolve(source);
  const baseDir = isURL ? process.cwd() : dirname(mainFile);
  const files = [mainFile];
  const prefix = `Cannot load -promscrape.config ${JSON.stringify(source)}`;
  let text: string;
  try {
    text = await readSource(mainFile, fetchFn);
  } catch (e) {
    throw new ScrapeConfigError(`${prefix}: ${errMessage(e)}`, { cause: e });
  }
  try {
    const ctx = parseYaml(expandEnv(text, opts.env), opts.strictParse, log);
    const top = fields(ctx, ctx.doc.contents, "", TOP_FIELDS);
    const global = parseGlobal(ctx, top.get("global") ?? null);
    const env = {
      baseDir,
      globals: global,
      flags: { ...DEFAULT_JOB_FLAGS, ...opts.flags },
      kinds: opts.discoveryKinds ?? DISCOVERY_KINDS,
    };
    const jobs: ScrapeJob[] = [];
    const rawJobs: unknown[] = [];
    list(ctx, top.get("scrape_configs") ?? null, "scrape_configs").forEach((n, i) => {
      const path = `scrape_configs[${i}]`;
      jobs.push(parseScrapeJob(ctx, n, path, path, env));
      rawJobs.push(toJS(ctx, n));
    });
    const patterns = strList(ctx, top.get("scrape_config_files") ?? null, "scrape_config_files");
    for (const file of await expandConfigFiles(patterns, isURL ? source : baseDir, isURL)) {
      let fileCtx: YamlCtx;
      try {
        fileCtx = parseYaml(expandEnv(await readSource(file, fetchFn), opts.env), opts.strictParse, log);
      } catch (e) {
        if (e instanceof SyntaxError && opts.strictParse) {
          throw new SyntaxError(`scrape_config_files: ${file}: ${e.message}`);
        }
        log.error(`Skipping ${JSON.stringify(file)} at scrape_config_files: ${errMessage(e)}`);
        continue;
      }
      files.push(file);
      try {
        list(fileCtx, fileCtx.doc.contents, "").forEach((n, i) => {
          jobs.push(parseScrapeJob(fileCtx, n, `[${i}]`, `${file}[${i}]`, env));
          rawJobs.push(toJS(fileCtx, n));
        });
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        const Ctor = e instanceof SyntaxError ? SyntaxError : e instanceof RangeError ? RangeError : TypeError;
        throw new Ctor(`scrape_config_files: ${file}${e.message.startsWith("[") ? "" : ": "}${e.message}`, {
          cause: e,
        });
      }
    }
    const seen = new Map<string, string>();
    for (const job of jobs) {
      const prev = seen.get(job.jobName);
      if (prev !== undefined) {
        throw new TypeError(`duplicate job_name ${JSON.stringify(job.jobName)} in ${prev} and ${job.origin}`);
      }
      seen.set(job.jobName, job.origin);
    }
    const top2: Record<string, unknown> = {};
    const g = toJS(ctx, top.get("global") ?? null);
    if (g !== null) top2["global"] = g;
    top2["scrape_configs"] = rawJobs;
    const sourceText = YAML.stringify(maskSecrets(top2, ""), { lineWidth: 0 });
    return freezeLoaded({ global, jobs, baseDir, sourceText, files });
  } catch (e) {
    if (e instanceof ScrapeConfigError) throw e;
    throw new ScrapeConfigError(`${prefix}: ${errMessage(e)}`, { cause: e });
  }
}

/**
 * The -promscrape.config.dryRun / -dryRun check: loads the config with the flag settings and
 * reports the outcome without throwing. An unset -promscrape.config passes, as in vmagent.
 */
export async function checkScrapeConfig(
  cfg: PromscrapeConfig,
  opts: { env: Record<string, string | undefined>; fetch?: typeof fetch; log?: LoadScrapeConfigOptions["log"] },
): Promise<{ ok: true; message: string } | { ok: false; message: string }> {
  if (cfg.config === "") return { ok: true, message: "-promscrape.config is not set; nothing to check" };
  try {
    const loaded = await loadScrapeConfig(cfg.config, {
      strictParse: cfg.strictParse,
      env: opts.env,
      flags: cfg,
      ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }),
      ...(opts.log === undefined ? {} : { log: opts.log }),
    });
    const n = loaded.jobs.length;
    return {
      ok: true,
      message: `-promscrape.config ${JSON.stringify(cfg.config)} is valid: ${n} scrape job${n === 1 ? "" : "s"}`,
    };
  } catch (e) {
    if (e instanceof ScrapeConfigError) return { ok: false, message: e.message };
    throw e;
  }
}

/**
 * Replaces `%{NAME}` with env values (themselves expanded), like VictoriaMetrics' envtemplate.
 * Placeholders whose name is not a valid variable name are left alone.
 * @throws TypeError naming a variable that is not set; SyntaxError for a `%{` without `}`.
 */
export function expandEnv(text: string, env: Record<string, string | undefined>, depth = 0): string {
  if (!text.includes("%{")) return text;
  let out = "";
  let i = 0;
  for (;;) {
    const start = text.indexOf("%{", i);
    if (start < 0) return out + text.slice(i);
    const end = text.indexOf("}", start + 2);
    if (end < 0) {
      throw new SyntaxError(
        `Cannot expand environment variables: missing "}" after ${JSON.stringify(text.slice(start, start + 32))}`,
      );
    }
    out += text.slice(i, start);
    const name = text.slice(start + 2, end);
    if (!ENV_NAME_RE.test(name)) {
      out += `%{${name}}`;
    } else {
      const v = env[name];
      if (v === undefined) {
        throw new TypeError(`Cannot expand environment variables: missing ${JSON.stringify(name)} env var`);
      }
      out += depth < 10 ? expandEnv(v, env, depth + 1) : v;
    }
    i = end + 1;
  }
}

async function readSource(pathOrURL: string, fetchFn: typeof fetch): Promise<string> {
  if (!URL_RE.test(pathOrURL)) return await Bun.file(pathOrURL).text();
  const res = await fetchFn(pathOrURL);
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`unexpected status code ${res.status} when reading ${JSON.stringify(maskURL(pathOrURL))}`);
  }
  return await res.text();
}

function parseYaml(text: string, strict: boolean, log: { warn(m: string): void }): YamlCtx {
  const lines = new LineCounter();
  // yaml.v2 semantics: YAML 1.1 scalars, merge keys; duplicate keys are errors.
  const doc = YAML.parseDocument(text, {
    schema: "yaml-1.1",
    merge: true,
    uniqueKeys: true,
    lineCounter: lines,
    prettyErrors: false,
  });
  const err = doc.errors[0];
  if (err !== undefined) {
    const msg = err.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? "";
    throw new SyntaxError(`cannot parse YAML: ${msg} at line ${lines.linePos(err.pos[0]).line}`);
  }
  return { doc, lines, strict, warn: (m) => log.warn(m) };
}

function parseGlobal(ctx: YamlCtx, node: YNode): GlobalScrapeSettings {
  const f = fields(ctx, node, "global", GLOBAL_FIELDS);
  const get = (k: string) => f.get(k) ?? null;
  let scrapeIntervalMs = duration(ctx, get("scrape_interval"), "global.scrape_interval") ?? 0;
  if (scrapeIntervalMs <= 0) scrapeIntervalMs = DEFAULT_SCRAPE_INTERVAL_MS;
  let scrapeTimeoutMs = duration(ctx, get("scrape_timeout"), "global.scrape_timeout") ?? 0;
  if (scrapeTimeoutMs <= 0) scrapeTimeoutMs = DEFAULT_SCRAPE_TIMEOUT_MS;
  const externalLabels = strMap(ctx, get("external_labels"), "global.external_labels");
  externalLabels.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const relabelConfigsRaw = toJS(ctx, get("relabel_configs"));
  const metricRelabelConfigsRaw = toJS(ctx, get("metric_relabel_configs"));
  return {
    scrapeIntervalMs,
    scrapeTimeoutMs,
    externalLabels,
    sampleLimit: int(ctx, get("sample_limit"), "global.sample_limit") ?? 0,
    labelLimit: int(ctx, get("label_limit"), "global.label_limit") ?? 0,
    relabelConfigs: parseRelabelConfigs(relabelConfigsRaw, "global.relabel_configs"),
    relabelConfigsRaw,
    metricRelabelConfigs: parseRelabelConfigs(metricRelabelConfigsRaw, "global.metric_relabel_configs"),
    metricRelabelConfigsRaw,
  };
}

/** Entries of scrape_config_files → files/URLs to read, globs expanded and sorted. */
async function expandConfigFiles(patterns: readonly string[], base: string, baseIsURL: boolean): Promise<string[]> {
  const out: string[] = [];
  for (const p of patterns) {
    if (URL_RE.test(p)) {
      out.push(p);
      continue;
    }
    if (baseIsURL && !isAbsolute(p)) {
      out.push(new URL(p, base).href);
      continue;
    }
    const full = resolveFile(base, p);
    if (!full.includes("*")) {
      out.push(full);
      continue;
    }
    const parts = full.split("/");
    const firstGlob = parts.findIndex((s) => /[*?[{]/.test(s));
    const dir = parts.slice(0, firstGlob).join("/") || "/";
    const glob = new Bun.Glob(parts.slice(firstGlob).join("/"));
    const matches: string[] = [];
    try {
      for await (const m of glob.scan({ cwd: dir, absolute: true, onlyFiles: true })) matches.push(m);
    } catch {
      // A missing directory matches nothing, like Go's filepath.Glob.
    }
    out.push(...matches.sort());
  }
  return out;
}

const SECRET_KEYS = new Set([
  "password",
  "bearer_token",
  "proxy_bearer_token",
  "credentials",
  "client_secret",
  "token",
  "secret_key",
  "yandex_passport_oauth_token",
  "application_credential_secret",
  "application_secret",
  "consumer_key",
]);
const TLS_KEYS = new Set(["tls_config", "proxy_tls_config"]);

/** A copy with secret values replaced by `<secret>` (as vmagent's /config does) and URL passwords hidden. */
function maskSecrets(v: unknown, parentKey: string): unknown {
  if (Array.isArray(v)) return v.map((x) => maskSecrets(x, parentKey));
  if (typeof v === "string") return URL_RE.test(v) || v.includes("://") ? maskURL(v) : v;
  if (typeof v !== "object" || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const secret = SECRET_KEYS.has(k) || (k === "key" && TLS_KEYS.has(parentKey));
    out[k] = secret && x !== null && x !== "" ? "<secret>" : maskSecrets(x, k);
  }
  return out;
}

function freezeLoaded(c: LoadedScrapeConfig): LoadedScrapeConfig {
  // Compiled relabel rules keep per-thread regex caches, so they are left unfrozen.
  const skip = new Set<unknown>([c.global.relabelConfigs, c.global.metricRelabelConfigs]);
  for (const j of c.jobs) skip.add(j.relabelConfigs).add(j.metricRelabelConfigs);
  const freeze = (v: unknown): void => {
    if (typeof v !== "object" || v === null || skip.has(v) || Object.isFrozen(v)) return;
    for (const child of Object.values(v)) freeze(child);
    Object.freeze(v);
  };
  freeze(c);
  return c;
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
