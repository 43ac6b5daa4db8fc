import { describe, expect, test } from "bun:test";
import { checkScrapeConfig, loadScrapeConfig } from "./config.ts";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { parseFlags } from "../config/flags.ts";
import { load, newLog, TESTDATA, TMP } from "./_config_testing.ts";

describe("loadScrapeConfig()", () => {
  test("defaults", async () => {
    const c = await load("scrape_configs:\n- job_name: a\n  static_configs: [{targets: [x:1]}]\n");
    expect(c.global).toMatchObject({
      scrapeIntervalMs: 60_000,
      scrapeTimeoutMs: 10_000,
      externalLabels: [],
      sampleLimit: 0,
      labelLimit: 0,
    });
    const { relabelConfigs, metricRelabelConfigs, ...job } = c.jobs[0]!;
    expect(relabelConfigs.rules).toEqual([]);
    expect(metricRelabelConfigs.rules).toEqual([]);
    const noAuth = {
      authorization: null,
      basicAuth: null,
      bearerToken: null,
      bearerTokenFile: null,
      oauth2: null,
      tls: null,
      headers: [],
    };
    expect(job).toEqual({
      jobName: "a",
      origin: "scrape_configs[0]",
      scrapeIntervalMs: 60_000,
      scrapeTimeoutMs: 10_000,
      maxScrapeSize: 16 * 2 ** 20,
      metricsPath: "/metrics",
      scheme: "http",
      honorLabels: false,
      honorTimestamps: false, // current vmagent; v1.79.5 defaulted to true
      followRedirects: true,
      params: [],
      http: noAuth,
      proxyURL: null,
      proxy: noAuth,
      relabelConfigsRaw: null,
      metricRelabelConfigsRaw: null,
      sampleLimit: 0,
      seriesLimit: 0,
      labelLimit: 0,
      disableCompression: false,
      disableKeepAlive: false,
      streamParse: false,
      noStaleMarkers: false,
      scrapeAlignIntervalMs: 0,
      scrapeOffsetMs: 0,
      relabelDebug: false,
      metricRelabelDebug: false,
      staticConfigs: [{ targets: ["x:1"], labels: [] }],
      sdConfigs: [],
    });
    expect(Object.isFrozen(c.jobs[0])).toBe(true);
    expect(Object.isFrozen(c.jobs[0]!.staticConfigs[0]!.targets)).toBe(true);
    expect(c.files).toHaveLength(1);
  });

  test("empty and job-less configs", async () => {
    expect((await load("")).jobs).toEqual([]);
    expect((await load("global: {scrape_interval: 5s}\n")).jobs).toEqual([]);
    expect((await load("scrape_configs:\n")).jobs).toEqual([]);
  });

  test("every field", async () => {
    const c = await loadScrapeConfig(join(TESTDATA, "full.yml"), { strictParse: true, env: {} });
    expect(c.baseDir).toBe(TESTDATA);
    expect(c.global.externalLabels).toEqual([["az", "b"], ["dc", "eu1"]]);
    const [full, oauth, basic, bearer] = c.jobs;
    expect(full).toMatchObject({
      jobName: "full",
      scrapeIntervalMs: 15_000,
      scrapeTimeoutMs: 15_000, // clamped to the interval
      maxScrapeSize: 10 * 2 ** 20,
      metricsPath: "/m",
      scheme: "https",
      honorLabels: true,
      honorTimestamps: true, // YAML 1.1 `yes`
      followRedirects: false,
      params: [["module", ["http_2xx", "x"]], ["target", ["a"]]],
      sampleLimit: 1000,
      seriesLimit: 500,
      labelLimit: 30,
      disableCompression: true,
      disableKeepAlive: true,
      streamParse: true,
      scrapeAlignIntervalMs: 3_600_000,
      scrapeOffsetMs: 300_000,
      noStaleMarkers: true,
      relabelDebug: true,
      metricRelabelDebug: false,
      proxyURL: "http://user:pw@proxy:3128",
      staticConfigs: [
        { targets: ["a:9100", "b:9100"], labels: [["env", "prod"], ["version", "1.10"]] }, // scalar kept as written
        { targets: ["c:9100"], labels: [] },
      ],
      relabelConfigsRaw: [{ source_labels: ["__address__"], target_label: "instance" }],
    });
    expect(full!.http).toEqual({
      authorization: { type: "Token", credentials: null, credentialsFile: join(TESTDATA, "secrets/token") },
      basicAuth: null,
      bearerToken: null,
      bearerTokenFile: null,
      oauth2: null,
      tls: {
        ca: null,
        caFile: join(TESTDATA, "ca.pem"),
        cert: null,
        certFile: "/abs/cert.pem",
        key: null,
        keyFile: join(TESTDATA, "key.pem"),
        serverName: "example.com",
        insecureSkipVerify: true,
        minVersion: "TLS12",
      },
      headers: [["X-Scope-OrgID", "tenant1"], ["X-Empty", ""]],
    });
    expect(full!.proxy.basicAuth).toEqual({ username: "pu", usernameFile: null, password: "pp", passwordFile: null });
    expect(full!.proxy.tls?.insecureSkipVerify).toBe(true);
    expect(full!.proxy.headers).toEqual([["X-Proxy", "1"]]);
    expect(full!.relabelConfigs.rules).toHaveLength(1);
    expect(full!.metricRelabelConfigs.rules[0]?.action).toBe("drop");
    expect(oauth!.disableCompression).toBe(true); // enable_compression: false
    expect(oauth!.http.oauth2).toEqual({
      clientId: "id",
      clientSecret: "s3cret",
      clientSecretFile: null,
      scopes: ["read"],
      tokenURL: "https://auth/token",
      endpointParams: [["audience", "x"]],
      tls: expect.objectContaining({ ca: "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n" }),
      proxyURL: "socks5://p:1080",
      headers: [],
    });
    expect(basic!.http.basicAuth).toEqual({
      username: "u",
      usernameFile: null,
      password: null,
      passwordFile: join(TESTDATA, "pass.txt"),
    });
    expect(basic!.proxy.bearerToken).toBe("ptoken");
    expect(bearer!.http.bearerToken).toBe("tok");
    // /config output: secrets masked, everything else kept.
    for (const secret of ["s3cret", "pp", "ptoken", "tok\n", ":pw@"]) expect(c.sourceText).not.toContain(secret);
    expect(c.sourceText).toContain("client_secret: <secret>");
    expect(c.sourceText).toContain("http://user:<secret>@proxy:3128");
    expect(c.sourceText).toContain("job_name: oauth");
  });

  test("flag defaults feed job defaults", async () => {
    const file = join(TMP, "flags.yml");
    writeFileSync(
      file,
      "scrape_configs:\n- job_name: a\n- job_name: b\n  series_limit: 0\n  max_scrape_size: 1KB\n  no_stale_markers: false\n",
    );
    const flags = {
      maxScrapeSize: 2048,
      seriesLimitPerTarget: 7,
      noStaleMarkers: true,
      streamParse: true,
      disableCompression: true,
      disableKeepAlive: true,
    };
    const [a, b] = (await loadScrapeConfig(file, { strictParse: true, env: {}, flags })).jobs;
    expect(a).toMatchObject({
      maxScrapeSize: 2048,
      seriesLimit: 7,
      noStaleMarkers: true,
      streamParse: true,
      disableCompression: true,
      disableKeepAlive: true,
    });
    expect(b).toMatchObject({ maxScrapeSize: 1000, seriesLimit: 0, noStaleMarkers: false });
  });

  test("durations and timeout clamping", async () => {
    const f = async (interval: string, timeout: string, global: string, want: [number, number]) => {
      const c = await load(`global: {${global}}\nscrape_configs:\n- job_name: a\n  ${interval}\n  ${timeout}\n`);
      expect([c.jobs[0]!.scrapeIntervalMs, c.jobs[0]!.scrapeTimeoutMs]).toEqual(want);
    };
    await f("scrape_interval: 30s", "", "", [30_000, 10_000]);
    await f("scrape_interval: 1m30s", "", "", [90_000, 10_000]);
    await f("scrape_interval: 1.5m", "", "", [90_000, 10_000]);
    await f("scrape_interval: 10", "", "", [10_000, 10_000]); // plain number = seconds
    await f("scrape_interval: 1d", "", "", [86_400_000, 10_000]);
    await f("scrape_interval: 500ms", "", "", [500, 500]); // timeout clamped
    await f("scrape_interval: 5s", "scrape_timeout: 1h", "", [5000, 5000]);
    await f("scrape_interval: 0s", "scrape_timeout: 0", "scrape_interval: 20s, scrape_timeout: 3s", [20_000, 3000]);
    await f("", "", "scrape_interval: 5s", [5000, 5000]); // global timeout 10s > global interval
    await f("", "scrape_timeout: 2s", "scrape_interval: 2m, scrape_timeout: 1m", [120_000, 2000]);
  });
});

describe("checkScrapeConfig()", () => {
  const flags = (argv: string[]) => {
    const r = parseFlags(argv, { env: {}, cpus: 1 });
    if (r.kind !== "config") throw new Error(JSON.stringify(r));
    return r.config.promscrape;
  };
  test("reports the outcome", async () => {
    const good = join(TMP, "check-good.yml");
    const bad = join(TMP, "check-bad.yml");
    writeFileSync(good, "scrape_configs:\n- job_name: a\n  foo: 1\n");
    writeFileSync(bad, "scrape_configs:\n- job_name: a\n  foo: 1\n");
    const log = newLog().log;
    expect(await checkScrapeConfig(flags([]), { env: {}, log })).toEqual({
      ok: true,
      message: "-promscrape.config is not set; nothing to check",
    });
    const r1 = await checkScrapeConfig(flags([`-promscrape.config=${bad}`]), { env: {}, log });
    expect(r1.ok).toBe(false);
    expect(r1.message).toContain("scrape_configs[0].foo: unknown field");
    const r2 = await checkScrapeConfig(flags([`-promscrape.config=${good}`, "-promscrape.config.strictParse=false"]), {
      env: {},
      log,
    });
    expect(r2).toEqual({ ok: true, message: `-promscrape.config ${JSON.stringify(good)} is valid: 1 scrape job` });
  });
});
