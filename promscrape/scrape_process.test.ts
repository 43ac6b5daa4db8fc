import { describe, expect, test } from "bun:test";
import { dedupIntervalStart, TargetScrapeState } from "./scrape_process.ts";
import type { ScrapeWork } from "./targets.ts";
import { Recorder, scrapeWork } from "./_scrape_testing.ts";

const WORK: ScrapeWork = scrapeWork({
  id: "t",
  scrapeURL: "http://h:1/metrics",
  labels: [["instance", "h:1"], ["job", "j"]],
  externalLabels: [["dc", "eu1"]],
});

const enc = (s: string) => new TextEncoder().encode(s);
const noInvalid = () => {
  throw new Error("unexpected invalid line");
};
const data = (out: string[]) => out.filter((s) => !s.startsWith("__name__=up,") && !s.startsWith("__name__=scrape_"));

describe("dedupIntervalStart()", () => {
  test("is the first ms of the interval (k·D − D, k·D] holding ts", () => {
    const f = (ts: number, d: number, want: number) => expect(dedupIntervalStart(ts, d)).toBe(want);
    f(3400, 1000, 3001);
    f(3000, 1000, 2001);
    f(3001, 1000, 3001);
    f(1_700_000_004_045, 10_000, 1_700_000_000_001);
  });
});

describe("TargetScrapeState", () => {
  test("merges target labels per honor_labels=false and adds external labels", () => {
    const st = new TargetScrapeState(WORK);
    const r = new Recorder();
    const s = st.scraped(enc('m{job="x",a="1"} 5 1234\n'), 1000, 3, r.w, noInvalid);
    expect(data(r.out)).toEqual(["__name__=m,job=j,a=1,instance=h:1,exported_job=x,dc=eu1 5@1000"]);
    expect(s).toMatchObject({ up: true, samplesScraped: 1, samplesPostRelabel: 1, seriesAdded: 1 });
    expect(r.out).toContain("__name__=up,instance=h:1,job=j,dc=eu1 1@1000");
  });

  test("honor_labels=true keeps the scraped value; honor_timestamps uses the sample's timestamp", () => {
    const st = new TargetScrapeState({ ...WORK, honorLabels: true, honorTimestamps: true });
    const r = new Recorder();
    st.scraped(enc('m{job="x"} 5 1234\n'), 1000, 3, r.w, noInvalid);
    expect(data(r.out)).toEqual(["__name__=m,job=x,instance=h:1,dc=eu1 5@1234000"]);
  });

  test("vanished series get stale markers with the scrape timestamp; failures mark everything stale", () => {
    const st = new TargetScrapeState(WORK);
    const r = new Recorder();
    st.scraped(enc("a 1\nb 2\n"), 1000, 1, r.w, noInvalid);
    r.out = [];
    st.scraped(enc("a 1\n"), 2000, 1, r.w, noInvalid);
    expect(data(r.out)).toEqual([
      "__name__=a,instance=h:1,job=j,dc=eu1 1@2000",
      "__name__=b,instance=h:1,job=j,dc=eu1 stale@2000",
    ]);
    r.out = [];
    // A failed scrape at 3400 writes at the start of its dedup interval (2000, 3000+…]: (3000, 4000] → 3001.
    const s = st.failed("boom", 3400, 5, r.w);
    expect(data(r.out)).toEqual(["__name__=a,instance=h:1,job=j,dc=eu1 stale@3001"]);
    expect(r.out).toContain("__name__=up,instance=h:1,job=j,dc=eu1 0@3001");
    expect(s).toMatchObject({ up: false, error: "boom", staleMarkers: 1 });
  });

  test("sample_limit drops the whole scrape and sets up=0", () => {
    const st = new TargetScrapeState({ ...WORK, sampleLimit: 1 });
    const r = new Recorder();
    const s = st.scraped(enc("a 1\nb 2\n"), 1000, 1, r.w, noInvalid);
    expect(data(r.out)).toEqual([]);
    expect(s.up).toBe(false);
    expect(s.error).toContain("sample_limit=1");
    expect(r.out).toContain("__name__=scrape_samples_limit,instance=h:1,job=j,dc=eu1 1@1000");
  });

  test("metric_relabel_configs drop and rewrite series; series_limit caps new series", () => {
    const st = new TargetScrapeState({
      ...WORK,
      seriesLimit: 2,
      metricRelabelConfigsRaw: [
        { source_labels: ["__name__"], regex: "drop_.*", action: "drop" },
        { target_label: "team", replacement: "infra" },
      ],
    });
    const r = new Recorder();
    const s = st.scraped(enc("drop_me 1\nkeep 2\nalso 3\nthird 4\n"), 1000, 1, r.w, noInvalid);
    expect(data(r.out)).toEqual([
      "__name__=keep,instance=h:1,job=j,team=infra,dc=eu1 2@1000",
      "__name__=also,instance=h:1,job=j,team=infra,dc=eu1 3@1000",
    ]);
    expect(s.samplesPostRelabel).toBe(3);
    expect(st.seriesLimitDropped).toBe(1);
  });

  test("removed() marks the last scrape's rows and vmagent's five auto series stale; noStaleMarkers disables it", () => {
    const st = new TargetScrapeState({ ...WORK, sampleLimit: 10, externalLabels: [] });
    const r = new Recorder();
    st.scraped(enc("a 1\nb 2\na 3\n"), 1000, 1, r.w, noInvalid);
    r.out = [];
    // As vmagent 1.79.5 (sendStaleSeries with addAutoSeries): one per row of the last scrape, then five auto
    // series; not scrape_timeout_seconds nor scrape_samples_limit.
    expect(st.removed(5000, r.w)).toBe(8);
    expect(r.out).toEqual([
      "__name__=a,instance=h:1,job=j stale@5000",
      "__name__=b,instance=h:1,job=j stale@5000",
      "__name__=a,instance=h:1,job=j stale@5000",
      "__name__=up,instance=h:1,job=j stale@5000",
      "__name__=scrape_duration_seconds,instance=h:1,job=j stale@5000",
      "__name__=scrape_samples_scraped,instance=h:1,job=j stale@5000",
      "__name__=scrape_samples_post_metric_relabeling,instance=h:1,job=j stale@5000",
      "__name__=scrape_series_added,instance=h:1,job=j stale@5000",
    ]);
    const quiet = new TargetScrapeState({ ...WORK, noStaleMarkers: true });
    quiet.scraped(enc("a 1\n"), 1000, 1, r.w, noInvalid);
    expect(quiet.removed(5000, r.w)).toBe(0);
  });

  test("series identity survives repeats, reorders and odd label strings", () => {
    const st = new TargetScrapeState({ ...WORK, externalLabels: [] });
    const r = new Recorder();
    const long = "v".repeat(70_000);
    const f = (body: string, want: string[], added: number, stale: number) => {
      r.out = [];
      const s = st.scraped(enc(body), 1000, 1, r.w, noInvalid);
      expect(data(r.out).filter((x) => x.includes("stale@"))).toEqual(want);
      expect(s).toMatchObject({ seriesAdded: added, staleMarkers: stale });
    };
    f(`a{x="\u0000\u0001"} 1\nb{y="${long}"} 2\nc 3\n`, [], 3, 0);
    f(`a{x="\u0000\u0001"} 1\nb{y="${long}"} 2\nc 3\n`, [], 0, 0);
    f(`c 3\na{x="\u0000\u0001"} 1\n`, [`__name__=b,y=${long},instance=h:1,job=j stale@1000`], 0, 1);
    // The second c finds no c left among the previous rows: it counts, as in vmagent.
    f(`c 3\nc 3\nd 4\n`, ["__name__=a,x=\u0000\u0001,instance=h:1,job=j stale@1000"], 2, 1);
  });
});
