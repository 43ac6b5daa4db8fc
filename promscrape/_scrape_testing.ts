import { NO_HTTP_CLIENT } from "../promauth/config.ts";
import { type LabelPair, SeriesWriter } from "../protocols/_shared/series_writer.ts";
import { decodeWriteRequest } from "../protocols/promremotewrite/decode.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";
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

/** Renders what a scrape wrote as "name{labels} value@ts" strings (`stale@ts` for stale markers). */
export class Recorder {
  readonly b = new BlockBuilder();
  readonly w: SeriesWriter;
  constructor(global: readonly LabelPair[] = []) {
    this.w = new SeriesWriter(this.b, global, () => {});
  }
  get out(): string[] {
    return decodeWriteRequest(this.b.finish()).map((s) => {
      const x = s.samples[0]!;
      return `${s.labels.map(([n, v]) => `${n}=${v}`).join(",")} ${x.stale ? "stale" : x.value}@${x.timestamp}`;
    });
  }
  set out(_: string[]) {
    this.b.reset();
  }
}
