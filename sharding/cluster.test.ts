import { describe, expect, test } from "bun:test";
import { ownersOf, parseMemberNum, shardKey } from "./cluster.ts";
import { goDurationString, goQuote } from "./go_format.ts";

describe("cluster sharding", () => {
  test("ownersOf() matches vmagent's upstream test vectors", () => {
    // TestGetClusterMemberNumsForScrapeWork (vmagent-features.md §c).
    const f = (key: string, n: number, rf: number, want: number[]) => expect(ownersOf(key, n, rf)).toEqual(want);
    f("baz", 2, 1, [0]);
    f("foo", 2, 1, [1]);
    f("baz", 2, 2, [0, 1]);
    f("foo", 2, 2, [1, 0]);
    f("abc", 3, 2, [0, 1]);
    f("bar", 3, 2, [1, 2]);
    f("foo", 3, 2, [2, 0]);
    f("anything", 1, 1, [0]);
    f("foo", 3, 5, [2, 0, 1]);
  });

  test("XXH64 vectors from the reference", () => {
    const f = (s: string, hex: string) => expect((Bun.hash.xxHash64(s) as bigint).toString(16)).toBe(hex);
    f("foo", "33bf00a859c4ba3f");
    f("bar", "48a37c90ad27a659");
    f("baz", "42598cf26a247404");
    f("abc", "44bc2cf5ad770999");
  });

  test("shardKey() v1.79.5 rule sorts and merges external labels; current keeps order", () => {
    const labels: [string, string][] = [
      ["job", "relab"],
      ["__address__", "127.0.0.1:10021"],
      ["__metrics_path__", "/m"],
      ["__param_foo", "bar"],
      ["__scheme__", "http"],
      ["__scrape_interval__", "15s"],
      ["__scrape_timeout__", "10s"],
      ["instance", "127.0.0.1:10021"],
      ["aaa_added", "x"],
      ["empty", ""],
    ];
    // The verified example key of vmagent-features.md §c.
    expect(shardKey(labels, "v1.79.5", [["dc", "eu1"]])).toBe(
      "__address__=127.0.0.1:10021,__metrics_path__=/m,__param_foo=bar,__scheme__=http,__scrape_interval__=15s,__scrape_timeout__=10s,aaa_added=x,dc=eu1,instance=127.0.0.1:10021,job=relab,",
    );
    expect(shardKey(labels, "current", [["dc", "eu1"]])).toBe(
      "job=relab,__address__=127.0.0.1:10021,__metrics_path__=/m,__param_foo=bar,__scheme__=http,__scrape_interval__=15s,__scrape_timeout__=10s,instance=127.0.0.1:10021,aaa_added=x,",
    );
  });

  test("parseMemberNum() takes the number after the last dash and range-checks it", () => {
    const f = (v: string, n: number, want: number | "error") => {
      if (want === "error") expect(() => parseMemberNum(v, n)).toThrow(RangeError);
      else expect(parseMemberNum(v, n)).toBe(want);
    };
    f("0", 3, 0);
    f("vmagent-2", 3, 2);
    f("my-sts-12", 13, 12);
    f("drover-3", 3, "error");
    f("drover", 3, "error");
    f("drover-x", 3, "error");
    f("", 3, "error");
    f("5", 0, 5);
  });
});

describe("Go formatting", () => {
  test("goDurationString() matches time.Duration.String()", () => {
    const f = (ms: number, want: string) => expect(goDurationString(ms)).toBe(want);
    f(0, "0s");
    f(30_000, "30s");
    f(60_000, "1m0s");
    f(90 * 60_000, "1h30m0s");
    f(500, "500ms");
    f(1500, "1.5s");
    f(15_000, "15s");
    f(0.0015, "1.5µs");
    f(3_600_000, "1h0m0s");
    f(61_500, "1m1.5s");
  });

  test("goQuote() matches strconv.Quote", () => {
    const f = (s: string, want: string) => expect(goQuote(s)).toBe(want);
    f("demo", '"demo"');
    f('a"b\\c', '"a\\"b\\\\c"');
    f("tab\there\nnl", '"tab\\there\\nnl"');
    f("\u0001", '"\\x01"');
    f("\u007f", '"\\x7f"');
    f("é日本", '"é日本"');
    f("\u00a0", '"\\u00a0"');
    f("😀", '"😀"');
  });
});
