/**
 * Seed corpus of Graphite plaintext payloads, realistic and adversarial, for
 * the differential test (tests/graphite.test.ts) and the shared fuzz test.
 * Payloads without timestamps get the current second.
 *
 * @module
 */

const T = 1_700_000_000;

export const SEEDS: string[] = [
  // Realistic: collectd/statsd style paths, tags, tabs.
  `servers.web01.cpu.user 12.5 ${T}\nservers.web01.cpu.system 3.25 ${T}\nservers.web02.cpu.user 7 ${T + 10}\n`,
  `stats.counters.requests.count;env=prod;dc=ams 1024 ${T}\nstats.timers.latency.p99;env=prod 0.123 ${T}\n`,
  `disk.used\t42\t${T}\r\ndisk.free  \t 58 \t ${T}\t \r\n`,
  `no.timestamp 1\nzero.ts 2 0\nminus.one.ts 3 -1\n`,
  // Tags: empty, without `=`, empty key or value, `=` in the value, repeated `;`.
  `tagged;a=b;;c;=d;e=;f=g=h 5 ${T}\nsemi; 6 ${T}\n`,
  // Values: signs, exponents, specials, long mantissas.
  `v.neg -123.456 ${T}\nv.exp 1.5e-3 ${T}\nv.big 12345678901234567890 ${T}\nv.inf +Inf ${T}\nv.nan NaN ${T}\nv.zero -0 ${T}\n`,
  // Timestamps: fractional, negative, ms-looking, absurd.
  `ts.frac 1 ${T}.999\nts.neg 2 -5\nts.ms 3 ${T}123\nts.nan 4 NaN\nts.huge 5 1e30\n`,
  // Invalid lines between valid ones.
  `ok.1 1 ${T}\nnovalue\n leading.blank 1 ${T}\nbad.value x ${T}\nbad.ts 1 x\ntoo.many 1 2 3\n;a=b 1 ${T}\nok.2 2 ${T}\n`,
  `trailing.blank 1 \n   \n\n\r\n`,
  // UTF-8, a BOM, NUL and control bytes.
  `\ufeffbom.metric 1 ${T}\nm\u00e9trique;t\u00e9=v\u00e9 2 ${T}\nnul\u0000byte 3 ${T}\nctl\u0001;k=\u0002 4 ${T}\n`,
  // A long path and many tags.
  `${"very.long.path.".repeat(200)}end;${Array.from({ length: 50 }, (_, i) => `t${i}=v${i}`).join(";")} 1 ${T}\n`,
  // Truncated input (no final newline, cut in the middle of a line).
  `cut.here 1 ${T}\ncut.th`,
  "",
];
