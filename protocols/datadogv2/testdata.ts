/**
 * Seed corpora for DataDog v2 `/datadog/api/v2/series`: JSON and protobuf
 * (DataDog agent-payload `MetricPayload`, hand-encoded here so the module has
 * no dependencies), realistic and adversarial. Used by the parser tests,
 * tests/datadog.test.ts and the shared fuzz test.
 *
 * @module
 */

const enc = new TextEncoder();

/** A realistic datadog-agent v7 JSON payload with `n` series. */
export function agentPayloadV2(n: number, t0 = 1_700_000_000): string {
  const series = [];
  for (let i = 0; i < n; i++) {
    series.push({
      metric: `system.net.bytes_rcvd.${i % 11}`,
      type: 3,
      points: [
        { timestamp: t0 + (i % 60), value: (i * 7.25) % 100 },
        { timestamp: t0 + 10 + (i % 60), value: (i * 3.5) % 100 },
      ],
      resources: [{ name: `host-${i % 13}`, type: "host" }],
      tags: ["env:prod", `service:web-${i % 5}`, "device:eth0", "role:db"],
      source_type_name: i % 2 === 0 ? "System" : "",
      interval: 10,
      unit: "byte",
    });
  }
  return JSON.stringify({ series });
}

function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function field(out: number[], num: number, bytes: ArrayLike<number>): void {
  varint(out, (num << 3) | 2);
  varint(out, bytes.length);
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
}

/** A protobuf series for hand-built seeds. */
export interface PbSeries {
  metric: string;
  resources?: [type: string, name: string][];
  tags?: string[];
  points?: [ts: number, value: number][];
  sourceTypeName?: string;
}

/** Encodes a MetricPayload (only the fields vmagent reads, plus `type`/`unit` it skips). */
export function encodeMetricPayload(series: readonly PbSeries[]): Uint8Array {
  const out: number[] = [];
  const f64 = new Float64Array(1);
  const b64 = new Uint8Array(f64.buffer);
  for (const s of series) {
    const m: number[] = [];
    for (const [type, name] of s.resources ?? []) {
      const r: number[] = [];
      field(r, 1, enc.encode(type));
      field(r, 2, enc.encode(name));
      field(m, 1, r);
    }
    field(m, 2, enc.encode(s.metric));
    for (const t of s.tags ?? []) field(m, 3, enc.encode(t));
    for (const [ts, v] of s.points ?? []) {
      const p: number[] = [0x09];
      f64[0] = v;
      p.push(...b64);
      p.push(0x10);
      varint(p, ts);
      field(m, 4, p);
    }
    m.push(0x28, 3); // type = GAUGE (ignored)
    field(m, 6, enc.encode("byte")); // unit (ignored)
    if (s.sourceTypeName !== undefined) field(m, 7, enc.encode(s.sourceTypeName));
    field(out, 1, m);
  }
  return new Uint8Array(out);
}

/** Valid JSON bodies with explicit timestamps. */
export const JSON_TIMED: string[] = [
  agentPayloadV2(10),
  `{"series":[{"metric":"v2.one","points":[{"timestamp":1700000000,"value":1.5}],"resources":[{"name":"h1","type":"host"},{"type":"pod","name":"p1"}],"tags":["env:prod","host:h2","bare"],"source_type_name":"src"}]}`,
  `{"SERIES":[{"Metric":"v2.case","Points":[{"Timestamp":1700000001,"VALUE":2}],"TAGS":["a:b"]}]}`,
  `{"series":[{"metric":"v2.nulls","points":[null,{"timestamp":1700000002,"value":null}],"resources":[null,{"name":"n"}],"tags":null},null]}`,
  `{"series":[]}`,
  `null`,
];

/** JSON bodies with timestamps ≤ 0 ("now"). */
export const JSON_UNTIMED: string[] = [
  `{"series":[{"metric":"v2.now","points":[{"value":1},{"timestamp":0,"value":2},{"timestamp":-5,"value":3}]}]}`,
];

/** Bodies rejected with 400. */
export const INVALID: string[] = [
  ``,
  `[]`,
  `{"series":{}}`,
  `{"series":[{"metric":"m","points":[{"timestamp":1.5,"value":1}]}]}`,
  `{"series":[{"metric":"m","points":[{"timestamp":"1","value":1}]}]}`,
  `{"series":[{"metric":"m","points":[[1700000000,1]]}]}`,
  `{"series":[{"metric":"m","resources":[{"name":1}]}]}`,
  `{"series":[{"metric":"m","points":[{"timestamp":1e400}]}]}`,
  `{"series":[{"metric":"m","source_type_name":[]}]}`,
  `{"series":[`,
];

/** Protobuf bodies. */
export const PROTOBUF: Uint8Array[] = [
  encodeMetricPayload([
    {
      metric: "pb.one",
      resources: [["host", "h1"], ["container", "c1"]],
      tags: ["env:prod", "host:h2", "bare"],
      points: [[1700000000, 1.5], [1700000010, -2]],
      sourceTypeName: "System",
    },
    { metric: "pb.two", points: [[0, 3]] },
    { metric: "pb-three name", tags: [":v", "k:"] },
  ]),
  // A first series whose length is 123 (0x7b = "{") after the 0x0a tag: looks like "\n{…" JSON.
  encodeMetricPayload([{ metric: "x".repeat(96), points: [[1700000000, 1]] }]),
  new Uint8Array(0),
];

export const SEEDS: Uint8Array[] = [
  ...JSON_TIMED.map((s) => enc.encode(s)),
  ...JSON_UNTIMED.map((s) => enc.encode(s)),
  ...INVALID.map((s) => enc.encode(s)),
  ...PROTOBUF,
];
