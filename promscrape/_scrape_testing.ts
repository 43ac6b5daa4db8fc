import { NO_HTTP_CLIENT } from "../promauth/config.ts";
import type { ScrapeWork } from "./targets.ts";

/** A ScrapeWork of plain defaults (job "j", 1s interval and timeout, no limits, no auth); `over` sets the rest. */
export function scrapeWork(over: Partial<ScrapeWork> & Pick<ScrapeWork, "id" | "scrapeURL">): ScrapeWork {
  return {
    jobName: "j",
    labels: [],
    externalLabels: [],
    intervalMs: 1000,
    timeoutMs: 1000,
    phaseNs: 0,
    alignIntervalMs: 0,
    offsetMs: 0,
    honorLabels: false,
    honorTimestamps: false,
    sampleLimit: 0,
    seriesLimit: 0,
    labelLimit: 0,
    maxScrapeSize: 1 << 20,
    streamParse: false,
    noStaleMarkers: false,
    disableCompression: false,
    disableKeepAlive: false,
    client: NO_HTTP_CLIENT,
    metricRelabelConfigsRaw: null,
    ...over,
  };
}
