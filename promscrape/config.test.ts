import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  checkScrapeConfig,
  expandEnv,
  type LoadedScrapeConfig,
  loadScrapeConfig,
  ScrapeConfigError,
} from "./config.ts";
import type { DiscoveryKind } from "../discovery/types.ts";
import { parseFlags } from "../config/flags.ts";

const TESTDATA = join(import.meta.dir, "testdata");
const TMP = mkdtempSync(join(tmpdir(), "drover-promscrape-config-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

interface Logs {
  warn: string[];
  error: string[];
}
const newLog = () => {
  const logs: Logs = { warn: [], error: [] };
  return { logs, log: { warn: (m: string) => logs.warn.push(m), error: (m: string) => logs.error.push(m) } };
};

/** A fake SD kind: `fake_sd_configs: [{names: [..]}]`. */
const FAKE_KIND: DiscoveryKind<{ names: string[] }> = {
  key: "fake_sd_configs",
  checkIntervalFlag: "promscrape.fakeSDCheckInterval",
  defaultCheckIntervalMs: 30_000,
  parse({ raw, path, strict }) {
    if (typeof raw !== "object" || raw === null) throw new TypeError(`${path}: want a map`);
    for (const k of Object.keys(raw)) if (k !== "names" && strict) throw new TypeError(`${path}.${k}: unknown field`);
    const names = (raw as { names?: unknown }).names;
    if (!Array.isArray(names)) throw new TypeError(`${path}.names: want a list`);
    return Object.freeze({ names: names.map(String) });
  },
  create: () => ({ name: "fake", start() {}, stop() {} }),
};
const KINDS = new Map<string, DiscoveryKind>([[FAKE_KIND.key, FAKE_KIND]]);

let n = 0;
async function load(
  yaml: string,
  o: { strict?: boolean; env?: Record<string, string>; log?: ReturnType<typeof newLog>["log"] } = {},
): Promise<LoadedScrapeConfig> {
  const file = join(TMP, `c${n++}.yml`);
  writeFileSync(file, yaml);
  return await loadScrapeConfig(file, {
    strictParse: o.strict ?? true,
    env: o.env ?? {},
    discoveryKinds: KINDS,
    log: o.log ?? newLog().log,
  });
}

async function loadError(yaml: string, o: { strict?: boolean; env?: Record<string, string> } = {}): Promise<string> {
  try {
    await load(yaml, o);
  } catch (e) {
    expect(e).toBeInstanceOf(ScrapeConfigError);
    return (e as Error).message.replace(/^Cannot load -promscrape.config "[^"]*": /, "");
  }
  throw new Error(`want an error for ${yaml}`);
}

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

  test("%{ENV} substitution", async () => {
    const c = await load(
      "scrape_configs:\n- job_name: %{JOB}\n  static_configs: [{targets: ['%{HOST}:%{PORT}'], labels: {x: '%{not valid}'}}]\n",
      {
        env: { JOB: "j-%{SUFFIX}", SUFFIX: "1", HOST: "h", PORT: "9" },
      },
    );
    expect(c.jobs[0]!.jobName).toBe("j-1");
    expect(c.jobs[0]!.staticConfigs[0]).toEqual({ targets: ["h:9"], labels: [["x", "%{not valid}"]] });
    expect(await loadError("scrape_configs:\n- job_name: %{NOPE}\n")).toBe(
      `Cannot expand environment variables: missing "NOPE" env var`,
    );
    const f = (s: string, want: string) => expect(expandEnv(s, { A: "a", "B.c-d": "b" })).toBe(want);
    f("x", "x");
    f("%{A}%{B.c-d}", "ab");
    f("%{1A}", "%{1A}");
    f("%%{A}}", "%a}");
    expect(() => expandEnv("%{A", {})).toThrow(`missing "}"`);
  });

  test("scrape_config_files", async () => {
    const { logs, log } = newLog();
    const dir = join(TESTDATA, "scrape_config_files");
    const c = await loadScrapeConfig(join(dir, "main.yml"), { strictParse: true, env: {}, log });
    expect(c.jobs.map((j) => [j.jobName, j.origin])).toEqual([
      ["main", "scrape_configs[0]"],
      ["a1", `${dir}/jobs/a.yml[0]`],
      ["b1", `${dir}/jobs/b.yml[0]`],
      ["b2", `${dir}/jobs/b.yml[1]`],
    ]);
    expect(c.jobs[1]!.scrapeIntervalMs).toBe(5000);
    // Relative paths in included files resolve against the main config's directory, as in vmagent.
    expect(c.jobs[2]!.http.bearerTokenFile).toBe(join(dir, "token.txt"));
    expect(c.files).toEqual([join(dir, "main.yml"), join(dir, "jobs/a.yml"), join(dir, "jobs/b.yml")]);
    expect(logs.error).toHaveLength(1);
    expect(logs.error[0]).toContain(`Skipping "${dir}/missing.yml" at scrape_config_files`);
    expect(c.sourceText).toContain("job_name: b2");
    expect(c.sourceText).not.toContain("scrape_config_files");
  });

  test("scrape_config_files errors", async () => {
    writeFileSync(join(TMP, "inc-bad.yml"), "- job_name: x\n  scheme: ftp\n");
    writeFileSync(join(TMP, "inc-unknown.yml"), "- job_name: y\n  foo: 1\n");
    writeFileSync(join(TMP, "inc-dup.yml"), "- job_name: a\n");
    writeFileSync(join(TMP, "inc-map.yml"), "job_name: a\n");
    const f = async (file: string, want: string) =>
      expect(await loadError(`scrape_config_files: [${file}]\nscrape_configs: [{job_name: a}]\n`)).toBe(want);
    await f(
      "inc-bad.yml",
      `scrape_config_files: ${TMP}/inc-bad.yml[0].scheme: unsupported scheme "ftp"; supported values: http, https at line 2`,
    );
    await f(
      "inc-unknown.yml",
      `scrape_config_files: ${TMP}/inc-unknown.yml[0].foo: unknown field; pass -promscrape.config.strictParse=false to ignore unknown fields at line 2`,
    );
    await f("inc-dup.yml", `duplicate job_name "a" in scrape_configs[0] and ${TMP}/inc-dup.yml[0]`);
    await f("inc-map.yml", `scrape_config_files: ${TMP}/inc-map.yml: got a map; want a list at line 1`);
  });

  test("strict errors name the YAML path", async () => {
    const f = async (yaml: string, want: string) => expect(await loadError(yaml)).toBe(want);
    const U = "unknown field; pass -promscrape.config.strictParse=false to ignore unknown fields";
    await f("rule_files: [a.yml]\nscrape_configs: []\n", `rule_files: ${U} at line 1`);
    await f("alerting: {}\n", `alerting: ${U} at line 1`);
    await f("remote_write: []\n", `remote_write: ${U} at line 1`);
    await f("global: {evaluation_interval: 1m}\n", `global.evaluation_interval: ${U} at line 1`);
    await f(
      "scrape_configs:\n- job_name: a\n  static_configs:\n  - targetz: [x]\n",
      `scrape_configs[0].static_configs[0].targetz: ${U} at line 4`,
    );
    await f(
      "scrape_configs:\n- job_name: a\n  tls_config: {foo: 1}\n",
      `scrape_configs[0].tls_config.foo: ${U} at line 3`,
    );
    await f(
      "scrape_configs:\n- job_name: a\n  refresh_interval: 1m\n",
      `scrape_configs[0].refresh_interval: ${U} at line 3`,
    );
    await f(
      "scrape_configs:\n- job_name: a\n  fake_sd_configs: [{names: [x], port: 1}]\n",
      `scrape_configs[0].fake_sd_configs[0].port: unknown field at line 3`,
    );
    await f("scrape_configs: {a: 1}\n", "scrape_configs: got a map; want a list at line 1");
    await f(
      "scrape_configs:\n- job_name: a\n  honor_labels: maybe\n",
      `scrape_configs[0].honor_labels: got string "maybe"; want a boolean at line 3`,
    );
    await f(
      "scrape_configs:\n- job_name: a\n  honor_labels: 'true'\n",
      `scrape_configs[0].honor_labels: got string "true"; want a boolean at line 3`,
    );
    await f(
      "scrape_configs:\n- job_name: a\n  sample_limit: '5'\n",
      `scrape_configs[0].sample_limit: got string "5"; want an integer at line 3`,
    );
    await f(
      "scrape_configs:\n- job_name: a\n  sample_limit: 1.5\n",
      `scrape_configs[0].sample_limit: got number "1.5"; want an integer at line 3`,
    );
    await f("scrape_configs:\n- job_name: [a]\n", `scrape_configs[0].job_name: got a list; want a string at line 2`);
    await f(
      "scrape_configs:\n- job_name: a\n  params: {a: b}\n",
      `scrape_configs[0].params.a: got string "b"; want a list at line 3`,
    );
    await f(
      "scrape_configs:\n- job_name: a\n  static_configs: [{targets: x}]\n",
      `scrape_configs[0].static_configs[0].targets: got string "x"; want a list at line 3`,
    );
    await f(
      "scrape_configs:\n- job_name: a\n  scrape_interval: 1x\n",
      `scrape_configs[0].scrape_interval: cannot parse duration "1x": not a duration (want e.g. 500ms, 1.5s, 1m, 1h30m, 7d or a number of seconds) at line 3`,
    );
    await f(
      "scrape_configs:\n- job_name: a\n  max_scrape_size: 1XB\n",
      `scrape_configs[0].max_scrape_size: cannot parse size "1XB": not a size (want a number with optional KB, MB, GB, TB, KiB, MiB, GiB or TiB suffix) at line 3`,
    );
    await f("scrape_configs:\n- scrape_interval: 5s\n", "scrape_configs[0]: missing `job_name` at line 2");
    await f("scrape_configs:\n-\n", "scrape_configs[0]: got null; want a scrape_config map");
    await f(
      "scrape_configs:\n- job_name: a\n  scheme: ftp\n",
      `scrape_configs[0].scheme: unsupported scheme "ftp"; supported values: http, https at line 3`,
    );
    await f(
      "scrape_configs:\n- job_name: a\n- job_name: b\n- job_name: a\n",
      `duplicate job_name "a" in scrape_configs[0] and scrape_configs[2]`,
    );
    await f("scrape_configs:\n- job_name: a\n  job_name: b\n", "cannot parse YAML: Map keys must be unique at line 3");
    await f(
      "scrape_configs: [\n",
      "cannot parse YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2",
    );
  });

  test("auth validation", async () => {
    const f = async (body: string, want: string) =>
      expect(await loadError(`scrape_configs:\n- job_name: a\n  ${body}\n`)).toBe(want);
    await f("basic_auth: {password: x}", "scrape_configs[0].basic_auth: missing `username` at line 3");
    await f(
      "basic_auth: {username: u, password: p, password_file: f}",
      "scrape_configs[0].basic_auth: both `password` and `password_file` are set at line 3",
    );
    await f(
      "bearer_token: x\n  bearer_token_file: y",
      "scrape_configs[0]: both `bearer_token` and `bearer_token_file` are set at line 3",
    );
    await f(
      "authorization: {credentials: x}\n  basic_auth: {username: x}",
      "scrape_configs[0].basic_auth: cannot use both `authorization` and `basic_auth` at line 4",
    );
    await f(
      "authorization: {credentials: x, credentials_file: y}",
      "scrape_configs[0].authorization: both `credentials` and `credentials_file` are set at line 3",
    );
    await f(
      "basic_auth: {username: x}\n  bearer_token: t",
      "scrape_configs[0].bearer_token: cannot be used together with `authorization` or `basic_auth` at line 4",
    );
    await f(
      "proxy_basic_auth: {username: x}\n  proxy_bearer_token: t",
      "scrape_configs[0].proxy_bearer_token: cannot be used together with `proxy_authorization` or `proxy_basic_auth` at line 4",
    );
    await f(
      "oauth2: {client_id: x}",
      "scrape_configs[0].oauth2: missing `client_secret` or `client_secret_file` at line 3",
    );
    await f("oauth2: {client_id: x, client_secret: y}", "scrape_configs[0].oauth2: missing `token_url` at line 3");
    await f(
      "tls_config: {min_version: TLS14}",
      `scrape_configs[0].tls_config.min_version: unsupported TLS version "TLS14"; supported values: TLS10, TLS11, TLS12, TLS13 at line 3`,
    );
    await f(
      "tls_config: {cert_file: c}",
      "scrape_configs[0].tls_config: missing `key` or `key_file` for the client certificate at line 3",
    );
    await f("tls_config: {ca: nonsense}", "scrape_configs[0].tls_config.ca: cannot parse PEM data at line 3");
    await f(
      `headers: ["foo"]`,
      `scrape_configs[0].headers[0]: missing ':' in header "foo"; want "Name: value" at line 3`,
    );
    await f(
      "proxy_url: ftp://x",
      `scrape_configs[0].proxy_url: unsupported scheme "ftp"; supported values: http, https, socks5, tls+socks5 at line 3`,
    );
  });

  test("relabel errors surface with their path", async () => {
    const f = async (body: string, want: string) =>
      expect(await loadError(`scrape_configs:\n- job_name: a\n  ${body}\n`)).toBe(want);
    expect(await loadError("scrape_configs:\n- job_name: a\n  relabel_configs: [{action: foo}]\n")).toMatch(
      /^scrape_configs\[0\]\.relabel_configs\[0\]: unknown action "foo"; want one of replace, .* at line 3$/,
    );
    expect(
      await loadError(
        "scrape_configs:\n- job_name: a\n  metric_relabel_configs:\n  - {target_label: a}\n  - {target_label: b, regex: '(x'}\n",
      ),
    ).toMatch(
      /^scrape_configs\[0\]\.metric_relabel_configs\[1\]: cannot parse "regex".* at line 4$/,
    );
    await f(
      "relabel_configs: [{target_label: a, sourcelabels: [x]}]",
      `scrape_configs[0].relabel_configs[0]: unknown field "sourcelabels" at line 3`,
    );
    expect(await loadError("global: {relabel_configs: [{action: nope}]}\n")).toStartWith(
      `global.relabel_configs[0]: unknown action "nope"`,
    );
  });

  test("service discovery kinds", async () => {
    const c = await load("scrape_configs:\n- job_name: a\n  fake_sd_configs: [{names: [x]}, {names: [y, z]}]\n");
    expect(c.jobs[0]!.sdConfigs).toEqual([
      { key: "fake_sd_configs", name: "fake_sd_configs[0]", config: { names: ["x"] } },
      { key: "fake_sd_configs", name: "fake_sd_configs[1]", config: { names: ["y", "z"] } },
    ]);
    expect(await loadError("scrape_configs:\n- job_name: a\n  azure_sd_configs: [{subscription_id: x}]\n")).toBe(
      `scrape_configs[0].azure_sd_configs: unsupported service discovery "azure_sd_configs"; supported: static_configs, fake_sd_configs at line 3`,
    );
    const { logs, log } = newLog();
    const lax = await load("scrape_configs:\n- job_name: a\n  azure_sd_configs: [{subscription_id: x}]\n", {
      strict: false,
      log,
    });
    expect(lax.jobs[0]!.sdConfigs).toEqual([]);
    expect(logs.warn[0]).toContain(
      `Ignoring scrape_configs[0].azure_sd_configs: unsupported service discovery "azure_sd_configs"`,
    );
  });

  test("non-strict mode ignores and logs unknown fields", async () => {
    const { logs, log } = newLog();
    const c = await load(
      "rule_files: [x]\nglobal: {evaluation_interval: 1m, scrape_interval: 7s}\nscrape_configs:\n- job_name: a\n  foo: 1\n" +
        "  static_configs: [{targetz: [x], targets: [y]}]\n  relabel_configs: [{target_label: t, replacement: r, bogus: 1}]\n",
      { strict: false, log },
    );
    expect(c.global.scrapeIntervalMs).toBe(7000);
    expect(c.jobs[0]!.staticConfigs).toEqual([{ targets: ["y"], labels: [] }]);
    expect(c.jobs[0]!.relabelConfigs.rules).toHaveLength(1);
    expect(logs.warn).toEqual([
      "Ignoring unknown field rule_files at line 1",
      "Ignoring unknown field global.evaluation_interval at line 2",
      "Ignoring unknown field scrape_configs[0].foo at line 5",
      "Ignoring unknown field scrape_configs[0].static_configs[0].targetz at line 6",
    ]);
    // Type errors stay errors, as with yaml.v2's non-strict Unmarshal.
    expect(await loadError("scrape_configs:\n- job_name: a\n  honor_labels: x\n", { strict: false })).toContain(
      "want a boolean",
    );
  });

  test("YAML features: anchors, merge keys, YAML 1.1 scalars", async () => {
    const d = await load(
      "scrape_configs:\n- &base\n  job_name: a\n  scrape_interval: 5s\n  honor_labels: on\n  static_configs: [{targets: [&t h:1], labels: {n: 010, y: yes}}]\n" +
        "- <<: *base\n  job_name: b\n  scrape_interval: 7s\n  static_configs: [{targets: [*t]}]\n",
    );
    expect(d.jobs.map((j) => [j.jobName, j.scrapeIntervalMs, j.honorLabels])).toEqual([["a", 5000, true], [
      "b",
      7000,
      true,
    ]]);
    expect(d.jobs[0]!.staticConfigs[0]!.labels).toEqual([["n", "010"], ["y", "yes"]]);
    expect(d.jobs[1]!.staticConfigs[0]!.targets).toEqual(["h:1"]);
  });

  test("http(s) source", async () => {
    const files: Record<string, string> = {
      "/p.yml": "scrape_config_files: [jobs.yml]\nscrape_configs:\n- job_name: remote\n  bearer_token: secret-token\n",
      "/jobs.yml": "- job_name: included\n",
    };
    using server = Bun.serve({
      port: 0,
      fetch: (req) => {
        const body = files[new URL(req.url).pathname];
        return body === undefined ? new Response("no", { status: 404 }) : new Response(body);
      },
    });
    const base = `http://127.0.0.1:${server.port}`;
    const c = await loadScrapeConfig(`${base}/p.yml`, { strictParse: true, env: {} });
    expect(c.jobs.map((j) => j.jobName)).toEqual(["remote", "included"]);
    expect(c.files).toEqual([`${base}/p.yml`, `${base}/jobs.yml`]);
    expect(c.sourceText).not.toContain("secret-token");
    const err = await loadScrapeConfig(`${base}/missing.yml`, { strictParse: true, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScrapeConfigError);
    expect((err as Error).message).toBe(
      `Cannot load -promscrape.config "${base}/missing.yml": unexpected status code 404 when reading "${base}/missing.yml"`,
    );
  });

  test("missing file", async () => {
    const err = await loadScrapeConfig(join(TMP, "nope.yml"), { strictParse: true, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScrapeConfigError);
    expect((err as Error).message).toStartWith(`Cannot load -promscrape.config "${join(TMP, "nope.yml")}": `);
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
