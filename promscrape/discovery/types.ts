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
   * Validates one entry (already-parsed YAML) into plain, frozen data that
   * can be posted between threads. Throws TypeError/SyntaxError whose
   * message starts with `path` (e.g. `scrape_configs[1].file_sd_configs[0].files: …`).
   * `strict` rejects unknown fields.
   */
  parse(raw: unknown, path: string, strict: boolean): C;
  /** Creates the running discoverer for one validated entry. */
  create(cfg: C, ctx: DiscoveryContext): Discoverer;
}
