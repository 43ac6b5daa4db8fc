import { describe, expect, test } from "bun:test";
import { TargetScrapeState } from "./scrape_process.ts";
import type { ScrapeWork } from "./targets.ts";
import { Recorder, scrapeWork } from "./_scrape_testing.ts";

const WORK: ScrapeWork = scrapeWork({ id: "t", scrapeURL: "http://h:1/metrics", labels: [["job", "j"]] });
const enc = (s: string) => new TextEncoder().encode(s);
const noInvalid = () => {
  throw new Error("unexpected invalid line");
};

/** Scrapes `body` at `ts`; returns seriesAdded, up and the stale markers of scraped series written. */
function scraper(work: ScrapeWork) {
  const st = new TargetScrapeState(work);
  const r = new Recorder();
  let ts = 0;
  return (body: string) => {
    r.out = [];
    ts += 1000;
    const s = st.scraped(enc(body), ts, 1, r.w, noInvalid);
    const stale = r.out.filter((x) => x.endsWith(`stale@${ts}`) && !/__name__=(up|scrape_)/.test(x));
    return { added: s.seriesAdded, up: s.up, stale: stale.map((x) => x.replace(`,job=j stale@${ts}`, "")) };
  };
}

describe("scrape_series_added (vmagent's GetRowsDiff of the raw rows)", () => {
  test("counts rows with no copy left among the previous rows; the first scrape counts every row", () => {
    const f = scraper(WORK);
    expect(f("a 1\na 1\nb 1\n").added).toBe(3);
    expect(f("a 1\na 1\nb 1\n").added).toBe(0);
    // A third a (previous: two), and a new series listed twice.
    expect(f("a 1\na 1\na 1\nb 1\nc 1\nc 1\n").added).toBe(3);
    // Fewer copies or another order add nothing.
    expect(f("c 1\nb 1\na 1\n").added).toBe(0);
    expect(f("a 1\nb 1\nc 1\n").added).toBe(0);
  });

  test("counts before metric_relabel_configs: dropped rows count", () => {
    const f = scraper({
      ...WORK,
      metricRelabelConfigsRaw: [{ source_labels: ["__name__"], regex: "d_.*", action: "drop" }],
    });
    expect(f("k 1\nd_a 1\n").added).toBe(2);
    expect(f("k 1\nd_b 1\nd_c 1\n").added).toBe(2);
  });

  test("compares parsed rows, not bytes: another form of the same row is neither added nor stale", () => {
    const f = scraper(WORK);
    f('m{a="1"} 1\nn 1\n');
    expect(f('m{ a="1", } 2\nn{} 1\n')).toEqual({ added: 0, up: true, stale: [] });
  });

  test("without stale markers nothing is compared: always 0", () => {
    const f = scraper({ ...WORK, noStaleMarkers: true });
    expect(f("a 1\n").added).toBe(0);
    expect(f("b 1\n").added).toBe(0);
  });

  test("stream parsing counts across the parts of a response", () => {
    const st = new TargetScrapeState(WORK);
    const r = new Recorder();
    st.scraped(enc("a 1\n"), 1000, 1, r.w, noInvalid);
    st.streamBegin(2000);
    st.streamChunk(enc("a 1\n"), r.w, noInvalid);
    st.streamChunk(enc("a 1\nb 1\n"), r.w, noInvalid);
    expect(st.streamEnd(1, r.w).seriesAdded).toBe(2);
  });
});

describe("stale markers of vanished series", () => {
  test("one a previous row whose series the scrape lacks; none for a series listed fewer times", () => {
    const f = scraper(WORK);
    f("x 1\nx 1\ny 1\ny 1\n");
    expect(f("y 1\n").stale).toEqual(["__name__=x", "__name__=x"]);
  });

  test("a failed scrape marks every previous row stale and forgets them", () => {
    const st = new TargetScrapeState(WORK);
    const r = new Recorder();
    st.scraped(enc("a 1\nb 1\n"), 1000, 1, r.w, noInvalid);
    expect(st.failed("boom", 2000, 1, r.w).staleMarkers).toBe(2);
    expect(st.scraped(enc("a 1\nb 1\n"), 3000, 1, r.w, noInvalid).seriesAdded).toBe(2);
  });
});

describe("sample_limit exceeded (vmagent keeps the rejected response as the previous one)", () => {
  test("previous rows go stale; the rejected rows go stale at the next good scrape and are not added again", () => {
    const f = scraper({ ...WORK, sampleLimit: 2 });
    expect(f("x 1\ny 1\n")).toEqual({ added: 2, up: true, stale: [] });
    expect(f("x 1\ny 1\nz 1\nw 1\n")).toEqual({ added: 0, up: false, stale: ["__name__=x", "__name__=y"] });
    // The same rows again: nothing changed, nothing goes stale.
    expect(f("x 2\ny 2\nz 2\nw 2\n")).toEqual({ added: 0, up: false, stale: [] });
    expect(f("x 1\nv 1\n")).toEqual({ added: 1, up: true, stale: ["__name__=y", "__name__=z", "__name__=w"] });
  });

  test("a second rejected response with other rows marks every row of the first stale", () => {
    const f = scraper({ ...WORK, sampleLimit: 1 });
    f("x 1\n");
    expect(f("x 1\ny 1\n").stale).toEqual(["__name__=x"]);
    expect(f("x 1\nz 1\n").stale).toEqual(["__name__=x", "__name__=y"]);
    expect(f("z 1\n")).toEqual({ added: 0, up: true, stale: ["__name__=x"] });
  });
});
