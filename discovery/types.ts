/**
 * The contract between service discovery and target generation.
 *
 * Every discovery mechanism (static, file, http, dns, kubernetes, consul, …)
 * produces target groups exactly as Prometheus/vmagent define them: a list
 * of `__address__`-style targets and the labels they share, including the
 * mechanism's `__meta_*` labels. Target generation (promscrape/targets.ts)
 * then merges job defaults, applies `relabel_configs` and drops `__meta_*`.
 *
 * @module
 */

import type { YamlValue } from "../config/yaml.ts";

/** One discovered target: its labels, `__address__` included. Plain data. */
export type TargetLabels = Readonly<Record<string, string>>;

/**
 * A running discoverer for one `*_sd_configs` entry. `start()` returns at
 * once; the discoverer calls `onUpdate` with the FULL current target list
 * whenever it changes (and at least once after its first round, even when
 * empty, so `/ready` can tell that discovery finished). `stop()` is
 * idempotent and safe without `start()`.
 */
export interface Discoverer {
  /** e.g. "file_sd_configs[0]"; used in logs, metrics and /service-discovery. */
  readonly name: string;
  start(onUpdate: (targets: readonly TargetLabels[]) => void): void;
  stop(): void;
}

/** What every discoverer gets besides its own config. */
export interface DiscoveryContext {
  /** Directory of the config file: relative paths (files, CA certs) resolve against it. */
  readonly baseDir: string;
  /** Re-check period (`-promscrape.<type>SDCheckInterval`), ms. */
  readonly checkIntervalMs: number;
  /** Rate-limited logger. */
  readonly log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  /** Injectable clock/timers for tests. */
  readonly setTimeout?: typeof setTimeout;
  readonly clearTimeout?: typeof clearTimeout;
}

/** One `*_sd_configs` entry as the config loader hands it to its kind. */
export interface SDEntry {
  /** The entry as plain data (`toJS` of `yaml`): what a kind reads its own fields from. */
  readonly raw: unknown;
  /**
   * The entry in its document: HTTP-based kinds read their client options
   * from it with promauth (scalars as written, errors with their line).
   */
  readonly yaml: YamlValue;
  /** e.g. `scrape_configs[1].file_sd_configs[0]`: every error message starts with it. */
  readonly path: string;
  /** Reject unknown fields (`-promscrape.config.strictParse`). */
  readonly strict: boolean;
  /** Directory of the config file: relative file names resolve against it. */
  readonly baseDir: string;
}

/**
 * One kind of `*_sd_configs` section. The config loader (promscrape/config.ts)
 * finds the kind by its YAML key, lets it validate each entry strictly, and
 * later creates a {@linkcode Discoverer} per entry.
 */
export interface DiscoveryKind<C = unknown> {
  /** The YAML key in a scrape_config, e.g. "file_sd_configs". */
  readonly key: string;
  /** vmagent's flag for the re-check period, e.g. "promscrape.fileSDCheckInterval", and its default in ms. */
  readonly checkIntervalFlag: string;
  readonly defaultCheckIntervalMs: number;
  /**
   * Validates one entry into plain, frozen data that can be posted between
   * threads. Throws TypeError/SyntaxError whose message starts with
   * `entry.path` (e.g. `scrape_configs[1].file_sd_configs[0].files: …`).
   */
  parse(entry: SDEntry): C;
  /** Creates the running discoverer for one validated entry. */
  create(cfg: C, ctx: DiscoveryContext): Discoverer;
}
