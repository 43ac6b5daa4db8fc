/**
 * Seed corpus of OpenTSDB telnet `put` payloads, realistic and adversarial,
 * for the differential test (tests/opentsdb.test.ts) and the shared fuzz test.
 *
 * @module
 */

const T = 1_700_000_000;

export const SEEDS: string[] = [
  // Realistic: tcollector style.
  `put sys.cpu.user ${T} 42.5 host=web01 cpu=0\nput sys.cpu.user ${T} 13 host=web01 cpu=1\nput sys.load.avg ${
    T + 10
  } 0.75 host=web02\n`,
  // No tags, extra spaces, leading spaces, CRLF.
  `put notags ${T} 1\n  put  spaced   ${T}  2   a=b   c=d  \r\nput trailing ${T} 3 \n`,
  // Tags: empty key/value, `=` in the value, a tab inside a value.
  `put tags ${T} 4 a= =b c=d e=f=g\nput tabtag ${T} 5 a=b\tc=d\n`,
  // Values and timestamps: specials, exponents, fractional, zero, ms-looking, absurd.
  `put v.nan ${T} NaN\nput v.inf ${T} -Inf\nput v.exp ${T} 1e3\nput ts.frac ${T}.9 6\nput ts.zero 0 7\nput ts.ms ${T}123 8\nput ts.huge 1e30 9\n`,
  // Invalid lines between valid ones.
  `put ok.1 ${T} 1\nget x\nput\nput onlymetric\nput m ${T}\nput m ${T} x\nput m ${T} 1 notag\nput m x 1\n\tput tab ${T} 1\nput ok.2 ${T} 2\n`,
  // UTF-8, a BOM, NUL and control bytes.
  `put m\u00e9trique ${T} 1 t\u00e9=v\u00e9\nput nul\u0000 ${T} 2 k=\u0001\n\ufeffput bom ${T} 3\n`,
  `put ${"long.metric.".repeat(300)}end ${T} 1 ${Array.from({ length: 40 }, (_, i) => `t${i}=v${i}`).join(" ")}\n`,
  // Truncated input.
  `put cut ${T} 1 a=b\nput cu`,
  "",
];
