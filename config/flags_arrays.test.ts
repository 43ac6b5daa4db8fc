import { describe, expect, test } from "bun:test";
import { A, B, C, cfg, fail } from "./_flags_testing.ts";

describe("arrays", () => {
  test("repeatable and comma-separated urls", () => {
    const f = (argv: string[], want: string[]) => expect(cfg(argv).remoteWrite.urls.map((u) => u.url)).toEqual(want);
    f([`-remoteWrite.url=${A}`], [A]);
    f(["-remoteWrite.url", A], [A]);
    f([`-remoteWrite.url=${A}`, `-remoteWrite.url=${B}`], [A, B]);
    f([`-remoteWrite.url=${A},${B}`], [A, B]);
    f([`-remoteWrite.url=${A},${B}`, "--remoteWrite.url", C], [A, B, C]);
    f([`-remoteWrite.url="${A}"`], [A]);
    fail(
      ["-remoteWrite.url=ftp://x"],
      `Invalid value "ftp://x" for flag -remoteWrite.url: must start with http:// or https://`,
    );
    fail([`-remoteWrite.url=${A},`], `Invalid value "" for flag -remoteWrite.url: must start with http:// or https://`);
    fail(["-remoteWrite.url=http://[bad"], `Invalid value "http://[bad" for flag -remoteWrite.url: not a valid URL`);
  });

  test("labels", () => {
    const f = (argv: string[], want: [string, string][]) => expect(cfg(argv).remoteWrite.labels).toEqual(want);
    f(["-remoteWrite.label=dc=eu"], [["dc", "eu"]]);
    f(["-remoteWrite.label=dc=eu,env=prod"], [["dc", "eu"], ["env", "prod"]]);
    f(["-remoteWrite.label=dc=eu", "-remoteWrite.label", "env=prod"], [["dc", "eu"], ["env", "prod"]]);
    f(["-remoteWrite.label=a=b=c"], [["a", "b=c"]]);
    f(["-remoteWrite.label=a="], [["a", ""]]);
    f([`-remoteWrite.label=a="x,y",b=[1,2]`], [["a", `"x,y"`], ["b", "[1,2]"]]);
    f([`-remoteWrite.label="a=x,y"`], [["a", "x,y"]]);
    fail(["-remoteWrite.label=dc"], `Invalid value "dc" for flag -remoteWrite.label: missing "=" in label`);
    fail(["-remoteWrite.label==x"], `Invalid value "=x" for flag -remoteWrite.label: label name is empty`);
  });

  test("per-URL values are positional", () => {
    const timeouts = (argv: string[]) => cfg(argv).remoteWrite.urls.map((u) => u.sendTimeoutMs);
    const f = (argv: string[], want: number[]) => expect(timeouts(argv)).toEqual(want);
    const urls = [`-remoteWrite.url=${A},${B},${C}`];
    f(urls, [60_000, 60_000, 60_000]);
    f([...urls, "-remoteWrite.sendTimeout=5s"], [5000, 60_000, 60_000]); // only the first URL
    f([...urls, "-remoteWrite.sendTimeout=5s,10s"], [5000, 10_000, 60_000]);
    f([...urls, "-remoteWrite.sendTimeout=5s", "-remoteWrite.sendTimeout=10s"], [5000, 10_000, 60_000]);
    f([...urls, "-remoteWrite.sendTimeout=,10s"], [60_000, 10_000, 60_000]); // empty element keeps the default
    f([...urls, "-remoteWrite.sendTimeout=1s,2s,3s"], [1000, 2000, 3000]);
    f(["-remoteWrite.sendTimeout=1s", `-remoteWrite.url=${A}`], [1000]); // order of flags does not matter

    const disk = cfg([...urls, "-remoteWrite.maxDiskUsagePerURL=1GiB,,500MB"]).remoteWrite.urls.map((u) =>
      u.maxDiskUsage
    );
    expect(disk).toEqual([2 ** 30, 0, 500e6]);

    fail(
      [...urls, "-remoteWrite.sendTimeout=1s,2s,3s,4s"],
      "Too many values for flag -remoteWrite.sendTimeout: got 4, but only 3 -remoteWrite.url are given",
    );
    fail(
      [`-remoteWrite.url=${A}`, "-remoteWrite.bearerToken=x,y"],
      "Too many values for flag -remoteWrite.bearerToken: got 2, but only 1 -remoteWrite.url is given",
    );
    fail(
      ["-remoteWrite.maxDiskUsagePerURL=1GB"],
      "Too many values for flag -remoteWrite.maxDiskUsagePerURL: got 1, but only 0 -remoteWrite.url are given",
    );
    fail(
      [...urls, "-remoteWrite.sendTimeout=5s,x"],
      /^Invalid value "x" for flag -remoteWrite.sendTimeout: not a duration/,
    );
  });

  test("per-URL auth", () => {
    const c = cfg([
      `-remoteWrite.url=${A},${B},${C}`,
      "-remoteWrite.basicAuth.username=alice,bob",
      "-remoteWrite.basicAuth.password=pw",
      "-remoteWrite.basicAuth.passwordFile=,/etc/pw",
      "-remoteWrite.bearerToken=,,tok",
      "-remoteWrite.bearerTokenFile=/etc/tok",
    ]);
    expect(c.remoteWrite.urls).toEqual([
      {
        url: A,
        maxDiskUsage: 0,
        sendTimeoutMs: 60_000,
        basicAuth: { username: "alice", password: "pw" },
        bearerTokenFile: "/etc/tok",
        headers: [],
        urlRelabelConfig: "",
      },
      {
        url: B,
        maxDiskUsage: 0,
        sendTimeoutMs: 60_000,
        basicAuth: { username: "bob", password: "" },
        basicAuthPasswordFile: "/etc/pw",
        headers: [],
        urlRelabelConfig: "",
      },
      { url: C, maxDiskUsage: 0, sendTimeoutMs: 60_000, bearerToken: "tok", headers: [], urlRelabelConfig: "" },
    ]);
    // exactOptionalPropertyTypes: absent options are absent keys, not undefined values
    expect(Object.keys(c.remoteWrite.urls[2] ?? {})).toEqual([
      "url",
      "maxDiskUsage",
      "sendTimeoutMs",
      "bearerToken",
      "headers",
      "urlRelabelConfig",
    ]);
  });

  test("per-URL headers", () => {
    const f = (value: string, want: [string, string][]) => {
      const c = cfg([`-remoteWrite.url=${A}`, `-remoteWrite.headers=${value}`]);
      expect(c.remoteWrite.urls[0]?.headers).toEqual(want);
    };
    f("", []);
    f("X-Foo:bar", [["X-Foo", "bar"]]);
    f("My-Auth: foobar ^^ X-Foo:bar", [["My-Auth", "foobar"], ["X-Foo", "bar"]]);
    f("X-Time:12:30", [["X-Time", "12:30"]]);
    f("X-Empty:", [["X-Empty", ""]]);
    const two = cfg([`-remoteWrite.url=${A},${B}`, "-remoteWrite.headers=,X:2"]).remoteWrite.urls.map((u) => u.headers);
    expect(two).toEqual([[], [["X", "2"]]]);
    fail(
      [`-remoteWrite.url=${A}`, "-remoteWrite.headers=NoColon"],
      `Invalid value "NoColon" for flag -remoteWrite.headers: missing ":" in header "NoColon"`,
    );
    fail(
      [`-remoteWrite.url=${A}`, "-remoteWrite.headers=A:1^^:v"],
      `Invalid value "A:1^^:v" for flag -remoteWrite.headers: empty header name in ":v"`,
    );
  });
});
