import { describe, expect, test } from "bun:test";
import { expandEnv, loadScrapeConfig, ScrapeConfigError } from "./config.ts";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { load, loadError, newLog, TESTDATA, TMP } from "./_config_testing.ts";

describe("loadScrapeConfig()", () => {
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
