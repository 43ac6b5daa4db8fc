/**
 * The parse-worker side of scraping: per-target state and the handling of
 * `Scrape` and `ScrapeTargets` ring messages. Targets arrive through the
 * same ring as their scrapes, so a scrape never overtakes its target's
 * registration.
 *
 * @module
 */

import type { SeriesSink } from "../protocols/_shared/series_writer.ts";
import { type ScrapeStats, TargetScrapeState } from "../promscrape/scrape_process.ts";
import type { ScrapeWork } from "../promscrape/targets.ts";

/** Body of a `ScrapeTargets` message. */
export interface ScrapeTargetsUpdate {
  add: ScrapeWork[];
  /** Removed targets and the timestamp for their stale markers (none on shutdown). */
  remove: { id: string; staleTs: number | null }[];
}

const targets = new Map<string, TargetScrapeState>();

/** Applies a target update; returns the number of stale markers written. */
export function updateTargets(u: ScrapeTargetsUpdate, w: SeriesSink): number {
  let stale = 0;
  for (const r of u.remove) {
    const st = targets.get(r.id);
    if (st === undefined) continue;
    if (r.staleTs !== null) stale += st.removed(r.staleTs, w);
    targets.delete(r.id);
  }
  for (const work of u.add) targets.set(work.id, new TargetScrapeState(work));
  return stale;
}

/**
 * Processes one scrape: `params` carries `id`, `ts` (scrape timestamp),
 * `d` (duration ms) and `err` (set when the scrape failed; body empty).
 */
export function handleScrape(
  params: URLSearchParams,
  body: Uint8Array,
  w: SeriesSink,
  invalidLine: (reason: string, line: string) => void,
): ScrapeStats | null {
  const st = targets.get(params.get("id") ?? "");
  if (st === undefined) return null;
  const ts = Number(params.get("ts"));
  const d = Number(params.get("d"));
  const err = params.get("err");
  // Stream-parsed scrapes come in parts: first, mid…, last (see promscrape/scrape_client.ts).
  switch (params.get("part")) {
    case "first":
      st.streamBegin(ts);
      st.streamChunk(body, w, invalidLine);
      return null;
    case "mid":
      st.streamChunk(body, w, invalidLine);
      return null;
    case "last":
      if (err !== null) {
        st.streamAbort();
        return st.failed(err, ts, d, w);
      }
      st.streamChunk(body, w, invalidLine);
      return st.streamEnd(d, w);
  }
  return err !== null ? st.failed(err, ts, d, w) : st.scraped(body, ts, d, w, invalidLine);
}

/** Number of targets this worker holds state for. */
export function targetCount(): number {
  return targets.size;
}
