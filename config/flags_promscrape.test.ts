import { describe, expect, test } from "bun:test";
import { cfg, fail } from "./_flags_testing.ts";

describe("-promscrape.*", () => {
  test("defaults", () => {
    expect(cfg([]).promscrape).toEqual({
      config: "",
      strictParse: true,
      dryRun: false,
      configCheckIntervalMs: 0,
      maxScrapeSize: 16 * 2 ** 20,
      seriesLimitPerTarget: 0,
      minResponseSizeForStreamParse: 1e6,
      streamParse: false,
      disableCompression: false,
      disableKeepAlive: false,
      noStaleMarkers: false,
      suppressDuplicateScrapeTargetErrors: false,
      maxDroppedTargets: 1000,
      dropOriginalLabels: false,
      suppressScrapeErrors: false,
      discoveryConcurrency: 100,
      sdCheckIntervalsMs: {
        "promscrape.fileSDCheckInterval": 60_000,
        "promscrape.httpSDCheckInterval": 60_000,
        "promscrape.dnsSDCheckInterval": 30_000,
        "promscrape.kubernetesSDCheckInterval": 30_000,
        "promscrape.consulSDCheckInterval": 30_000,
      },
      cluster: {
        membersCount: 0,
        memberNum: 0,
        memberNumRaw: "0",
        replicationFactor: 1,
        name: "",
        memberLabel: "",
        keyRule: "current",
        plan: false,
      },
    });
  });

  test("values", () => {
    const c = cfg([
      "-promscrape.config=/etc/p.yml",
      "-promscrape.config.strictParse=false",
      "-promscrape.config.dryRun",
      "-promscrape.configCheckInterval=10s",
      "-promscrape.maxScrapeSize=1KiB",
      "-promscrape.fileSDCheckInterval=5m",
      "-promscrape.cluster.replicationFactor=0",
    ]).promscrape;
    expect([c.config, c.strictParse, c.dryRun, c.configCheckIntervalMs, c.maxScrapeSize]).toEqual([
      "/etc/p.yml",
      false,
      true,
      10_000,
      1024,
    ]);
    expect(c.sdCheckIntervalsMs["promscrape.fileSDCheckInterval"]).toBe(300_000);
    expect(c.cluster.replicationFactor).toBe(1); // vmagent treats < 1 as 1
  });

  test("cluster.memberNum", () => {
    const f = (argv: string[], want: number) => expect(cfg(argv).promscrape.cluster.memberNum).toBe(want);
    f([], 0);
    f(["-promscrape.cluster.memberNum=3"], 3);
    f(["-promscrape.cluster.memberNum=vmagent-2", "-promscrape.cluster.membersCount=3"], 2);
    f(["-promscrape.cluster.memberNum=my-sts-12", "-promscrape.cluster.membersCount=13"], 12);
    f(["-promscrape.cluster.memberNum=+1", "-promscrape.cluster.membersCount=2"], 1);
    const e = (argv: string[], want: string | RegExp) => fail(argv, want);
    e(
      ["-promscrape.cluster.memberNum=vmagent"],
      /^Invalid value "vmagent" for flag -promscrape.cluster.memberNum: cannot parse "vmagent" as an integer/,
    );
    e(["-promscrape.cluster.memberNum=vmagent-"], /cannot parse "" as an integer/);
    e(["-promscrape.cluster.memberNum=vmagent-x1"], /cannot parse "x1"/);
    e(
      ["-promscrape.cluster.memberNum=vmagent-3", "-promscrape.cluster.membersCount=3"],
      `Invalid value "vmagent-3" for flag -promscrape.cluster.memberNum: must be in the range [0..2] according to -promscrape.cluster.membersCount=3`,
    );
    e(["-promscrape.cluster.membersCount=-1"], /must be at least 0/);
  });
});
