/**
 * The `-promscrape.*` part of {@linkcode Config}: types and the builder that turns parsed flag
 * values into them (including vmagent's `-promscrape.cluster.memberNum` parsing).
 */

/** Reads parsed flag values; the flag table guarantees the kinds. */
export interface PromscrapeFlagReader {
  num(name: string): number;
  str(name: string): string;
  bool(name: string): boolean;
}

/** `-promscrape.cluster.*`; clustering is on when membersCount > 1. */
export interface PromscrapeClusterConfig {
  readonly membersCount: number;
  /** Parsed member number: the digits after the last `-` of -promscrape.cluster.memberNum. */
  readonly memberNum: number;
  /** -promscrape.cluster.memberNum as given (e.g. a StatefulSet pod name). */
  readonly memberNumRaw: string;
  /** At least 1. */
  readonly replicationFactor: number;
  readonly name: string;
  readonly memberLabel: string;
  /** Target key rule for sharding and phases (sharding/cluster.ts). */
  readonly keyRule: "current" | "v1.79.5";
  /** -promscrape.cluster.plan: print the target assignment (promscrape/cluster_plan.ts) and exit. */
  readonly plan: boolean;
}

/** All durations in ms, sizes in bytes. */
export interface PromscrapeConfig {
  /** -promscrape.config: path or http(s) URL; "" = no scraping. */
  readonly config: string;
  readonly strictParse: boolean;
  readonly dryRun: boolean;
  /** 0 = no periodic re-check. */
  readonly configCheckIntervalMs: number;
  readonly maxScrapeSize: number;
  readonly seriesLimitPerTarget: number;
  readonly minResponseSizeForStreamParse: number;
  readonly streamParse: boolean;
  readonly disableCompression: boolean;
  readonly disableKeepAlive: boolean;
  readonly noStaleMarkers: boolean;
  readonly suppressDuplicateScrapeTargetErrors: boolean;
  readonly maxDroppedTargets: number;
  readonly dropOriginalLabels: boolean;
  readonly suppressScrapeErrors: boolean;
  readonly discoveryConcurrency: number;
  /**
   * Re-check periods keyed by flag name without the dash (e.g. "promscrape.fileSDCheckInterval"),
   * matching DiscoveryKind.checkIntervalFlag; kinds without a flag here use their own default.
   */
  readonly sdCheckIntervalsMs: Readonly<Record<string, number>>;
  readonly cluster: PromscrapeClusterConfig;
}

const SD_CHECK_FLAGS = [
  "promscrape.fileSDCheckInterval",
  "promscrape.httpSDCheckInterval",
  "promscrape.dnsSDCheckInterval",
  "promscrape.kubernetesSDCheckInterval",
  "promscrape.consulSDCheckInterval",
];

/**
 * @param invalid builds the error for a bad flag value (the caller's flag error type).
 */
export function buildPromscrapeConfig(
  r: PromscrapeFlagReader,
  invalid: (name: string, raw: string, reason: string) => Error,
): PromscrapeConfig {
  const sdCheckIntervalsMs: Record<string, number> = {};
  for (const name of SD_CHECK_FLAGS) sdCheckIntervalsMs[name] = r.num(name);
  const membersCount = r.num("promscrape.cluster.membersCount");
  const memberNumRaw = r.str("promscrape.cluster.memberNum");
  return {
    config: r.str("promscrape.config"),
    strictParse: r.bool("promscrape.config.strictParse"),
    dryRun: r.bool("promscrape.config.dryRun"),
    configCheckIntervalMs: r.num("promscrape.configCheckInterval"),
    maxScrapeSize: r.num("promscrape.maxScrapeSize"),
    seriesLimitPerTarget: r.num("promscrape.seriesLimitPerTarget"),
    minResponseSizeForStreamParse: r.num("promscrape.minResponseSizeForStreamParse"),
    streamParse: r.bool("promscrape.streamParse"),
    disableCompression: r.bool("promscrape.disableCompression"),
    disableKeepAlive: r.bool("promscrape.disableKeepAlive"),
    noStaleMarkers: r.bool("promscrape.noStaleMarkers"),
    suppressDuplicateScrapeTargetErrors: r.bool("promscrape.suppressDuplicateScrapeTargetErrors"),
    maxDroppedTargets: r.num("promscrape.maxDroppedTargets"),
    dropOriginalLabels: r.bool("promscrape.dropOriginalLabels"),
    suppressScrapeErrors: r.bool("promscrape.suppressScrapeErrors"),
    discoveryConcurrency: r.num("promscrape.discovery.concurrency"),
    sdCheckIntervalsMs,
    cluster: {
      membersCount,
      memberNum: parseMemberNum(
        memberNumRaw,
        membersCount,
        (reason) => invalid("promscrape.cluster.memberNum", memberNumRaw, reason),
      ),
      memberNumRaw,
      replicationFactor: Math.max(1, r.num("promscrape.cluster.replicationFactor")),
      name: r.str("promscrape.cluster.name"),
      memberLabel: r.str("promscrape.cluster.memberLabel"),
      keyRule: r.str("promscrape.cluster.keyRule") as "current" | "v1.79.5",
      plan: r.bool("promscrape.cluster.plan"),
    },
  };
}

/**
 * vmagent's memberNum rule: the part after the last `-` (the whole value without one) is a
 * decimal integer (Go strconv.Atoi), so `vmagent-2` and `my-sts-12` work; with clustering
 * configured it must be in [0, membersCount).
 */
export function parseMemberNum(raw: string, membersCount: number, invalid: (reason: string) => Error): number {
  const digits = raw.slice(raw.lastIndexOf("-") + 1);
  if (!/^\+?\d+$/.test(digits) || !Number.isSafeInteger(Number(digits))) {
    throw invalid(
      `cannot parse ${
        JSON.stringify(digits)
      } as an integer; want a number or a name ending in -<number>, e.g. vmagent-0`,
    );
  }
  const n = Number(digits);
  if (membersCount > 0 && n >= membersCount) {
    throw invalid(
      `must be in the range [0..${membersCount - 1}] according to -promscrape.cluster.membersCount=${membersCount}`,
    );
  }
  return n;
}
