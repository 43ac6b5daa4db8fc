/**
 * Seed corpora for DataDog v1 `/datadog/api/v1/series`: realistic agent
 * payloads and adversarial ones (Go JSON quirks, bad types, bad JSON). Used by
 * tests/datadog.test.ts (differential against vmagent) and the shared fuzz test.
 *
 * @module
 */

const enc = new TextEncoder();

/** A realistic datadog-agent v7 payload with `n` series and explicit timestamps. */
export function agentPayload(n: number, t0 = 1_700_000_000): string {
  const series = [];
  for (let i = 0; i < n; i++) {
    series.push({
      metric: `system.cpu.user_${i % 17}`,
      points: [
        [t0 + (i % 60), (i * 7.25) % 100],
        [t0 + 10 + (i % 60), (i * 3.5) % 100],
      ],
      tags: [`env:prod`, `service:web-${i % 5}`, `availability-zone:us-east-1a`, `version:7.${i % 9}.0`, "role:db"],
      host: `host-${i % 13}.example.com`,
      type: "gauge",
      interval: 10,
      source_type_name: "System",
    });
  }
  return JSON.stringify({ series });
}

/**
 * Bodies with explicit positive timestamps (byte-for-byte comparable with
 * vmagent). Every series names `metric`, `host`, `tags` and `points`, and no
 * point or series is `null`: vmagent v1.79.5 reuses pooled request structs
 * without resetting them (fixed in v1.85.0, VictoriaMetrics issue 3432), so a
 * field that is absent or `null` keeps whatever an earlier request left there.
 * Those cases are in {@linkcode QUIRKS} instead.
 */
export const TIMED: string[] = [
  agentPayload(20),
  `{"series":[{"metric":"m.one","host":"h1","points":[[1700000000.5,1.5]],"tags":["env:prod","host:h2","bare","a:b:c",":x","y:","z:"]}]}`,
  `{"series":[{"METRIC":"m2","Host":"","Points":[[1700000001,3,99],[1700000002]],"TAGS":null}]}`,
  `{"series":[{"metric":"m3","host":"h3","points":[[1700000003.9999,4]],"tags":[""]}]}`,
  `{"series":[{"metric":"m4","host":"","points":[[1700000004,-1.5e-300],[1700000005,1.7976931348623157e308],[1700000006,-0]],"tags":["k:v","k:w"]}]}`,
  `{"series":[{"metric":"unicode.ünïcödé","host":"höst","points":[[1700000007,7]],"tags":["ключ:значение","emoji:🚀"]}]}`,
  `{"series":[{"metric":"esc\\"aped\\\\name\\u0041\\n","host":"","points":[[1700000008,8]],"tags":["q:\\"x\\""]}],"extra":{"ignored":[1,2,{"a":null}]}}`,
  `{"series":[{"metric":"types.ignored","host":"","tags":[],"type":1234,"interval":"x","unknown":{"deep":[true,false,null]},"points":[[1700000009,9]]}]}`,
  `{"series":[{"metric":"dup","metric":"dup2","host":"","tags":[],"points":[[1700000010,10]]}]}`,
  `{"series":[{"metric":"exp","host":"","tags":[],"points":[[1.7e9,1e2],[17e8,2E-1]]}]}`,
  `{"series":[]}`,
  `{}`,
  `null`,
  `  {"series":[{"metric":"ws","host":"","tags":[],"points":[[1700000013,13]]}]}  \r\n`,
  `{"series":[{"metric":"no.points","host":"","tags":["a:b"],"points":null},{"metric":"empty.points","host":"","tags":[],"points":[]}]}`,
  `{"series":[{"metric":"big.ts","host":"","tags":[],"points":[[1e300,1],[1700000014,14]]}]}`,
];

/** Bodies with ts ≤ 0 (meaning "now"): compared with masked timestamps. */
export const UNTIMED: string[] = [
  `{"series":[{"metric":"now.zero","host":"","points":[[0,1],[-5,2],[-0.5,3]],"tags":["t:now"]}]}`,
  `{"series":[{"metric":"now.array","host":"","tags":[],"points":[[],[0,4],[-1]]}]}`,
];

/** Valid bodies with absent or `null` fields and `null` points/series (see TIMED for why they are not differential). */
export const QUIRKS: string[] = [
  `{"series":[{"metric":"nulls","host":null,"points":[null,[1700000011,null],[1700000012,12]],"tags":[null,"a:1"]},null]}`,
  `{"series":[{"metric":"missing.fields","points":[[1700000016,16]]},{"tags":["only:tags"]}]}`,
];

/** Bodies vmagent rejects with 400 (and must leave nothing behind). */
export const INVALID: string[] = [
  ``,
  `[]`,
  `"series"`,
  `{"series":{}}`,
  `{"series":[1]}`,
  `{"series":[{"metric":1,"points":[[1700000000,1]]}]}`,
  `{"series":[{"metric":"m","points":[[1700000000,"1"]]}]}`,
  `{"series":[{"metric":"m","points":[1700000000]}]}`,
  `{"series":[{"metric":"m","points":[{"t":1}]}]}`,
  `{"series":[{"metric":"m","points":[[1e400,1]]}]}`,
  `{"series":[{"metric":"m","tags":"a:b","points":[[1700000000,1]]}]}`,
  `{"series":[{"metric":"m","tags":[1],"points":[[1700000000,1]]}]}`,
  `{"series":[{"metric":"m","host":true}]}`,
  `{"series":[{"metric":"m","points":[[1700000000,1]]}]`,
  `{"series":[{"metric":"m","points":[[1700000000,1,]]}]}`,
  `{"series":[{"metric":"m","points":[[NaN,1]]}]}`,
  `\ufeff{"series":[]}`,
  `{"series":[{"metric":"m\u0001","points":[[1700000000,1]]}]}`,
  `{"series":[{"metric":"a","points":[[1700000000,1]]}]} x`,
];

/** Every seed as bytes (valid, "now" and invalid ones, plus invalid UTF-8 inside a string). */
export const SEEDS: Uint8Array[] = [
  ...TIMED.map((s) => enc.encode(s)),
  ...UNTIMED.map((s) => enc.encode(s)),
  ...QUIRKS.map((s) => enc.encode(s)),
  ...INVALID.map((s) => enc.encode(s)),
  new Uint8Array([
    ...enc.encode('{"series":[{"metric":"bad'),
    0xe2,
    0x82,
    0xff,
    0xc0,
    0x80,
    ...enc.encode('utf8","host":"","tags":[],"points":[[1700000015,15]]}]}'),
  ]),
];
