import { describe, expect, test } from "bun:test";
import { load, loadError, newLog } from "./_config_testing.ts";

describe("loadScrapeConfig()", () => {
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
});
