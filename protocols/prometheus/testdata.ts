/**
 * Seed corpora for Prometheus text import: realistic exposition output and
 * adversarial lines. Used by tests/import.test.ts (differential against
 * vmagent) and the shared fuzz test. Timestamps are in the past so a
 * VictoriaMetrics behind the agents keeps them.
 *
 * @module
 */

/** A realistic node-exporter-like exposition (no timestamps). */
export const REALISTIC = `# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 2.4e-05
go_gc_duration_seconds{quantile="0.25"} 3.1e-05
go_gc_duration_seconds{quantile="1"} 0.000351
go_gc_duration_seconds_sum 0.0123
go_gc_duration_seconds_count 312
# HELP http_request_duration_seconds Request latency.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{handler="/api/v1/query",method="GET",le="0.005"} 1234
http_request_duration_seconds_bucket{handler="/api/v1/query",method="GET",le="0.01"} 1500
http_request_duration_seconds_bucket{handler="/api/v1/query",method="GET",le="+Inf"} 1623
http_request_duration_seconds_sum{handler="/api/v1/query",method="GET"} 12.75
http_request_duration_seconds_count{handler="/api/v1/query",method="GET"} 1623
node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 1.2345678912e+10
node_cpu_seconds_total{cpu="0",mode="idle"} 123456.78
node_cpu_seconds_total{cpu="0",mode="user"} 2345.6
process_start_time_seconds 1.69e+09
up 1
`;

/** Adversarial lines; each line tests one rule (see parse.ts). */
export const ADVERSARIAL = [
  'esc{a="q\\"uote",b="back\\\\slash",c="new\\nline",d="other\\tkept",e="end\\\\"} 1 1700000000',
  'exemplar_bucket{le="1"} 5 1700000001 # {trace_id="abc"} 0.5 1700000001',
  'exemplar_nolabels 7 # {trace_id="abc"} 0.5',
  "comment_after 8 # just a comment",
  "ts_seconds 1 1700000002",
  "ts_ms 2 1700000003000",
  "ts_float 3 1700000004.5",
  "ts_exp 4 1.7e12",
  "ts_boundary 5 2147483648",
  "ts_negative 6 -5",
  "ts_zero 7 0",
  "ts_nan 8 NaN",
  "val_nan NaN 1700000005",
  "val_pinf +Inf 1700000005",
  "val_ninf -Inf 1700000005",
  "val_inf_words infinity 1700000005",
  "val_plus +1 1700000005",
  "val_dot .5 1700000005",
  "val_trailing_dot 1. 1700000005",
  "val_exp_dot 5.e3 1700000005",
  "val_hex 0x10 1700000005",
  "val_big 123456789012345678901234567890 1700000005",
  "val_long_frac 0.12345678901234567890 1700000005",
  "val_small 1.5e-7 1700000005",
  "  \tleading_blanks\t 9 \t1700000006 \t",
  "extra_fields 1 1700000007 x",
  "no_value",
  'no_value_labels{a="b"}',
  '{a="b"} 1',
  'empty_key{="x",b="y"} 1 1700000008',
  'trailing_comma{a="b",} 1 1700000008',
  'spaces_in_labels{ a = "b" , c = "d" } 1 1700000008',
  'space_before_brace {a="b"} 1 1700000008',
  'no_space_after{a="b"}2 1700000008',
  "unquoted{a=b} 1",
  'unterminated{a="b} 1',
  'missing_comma{a="b" c="d"} 1',
  'dup_labels{a="1",a="2"} 1 1700000008',
  'unicode_é{ключ="значение"} 1 1700000008',
  'colon:metric:name{a="b"} 1 1700000008',
  'brace_in_value{a="}{"} 1 1700000008',
  "# HELP x y",
  "# TYPE x counter",
  "#no space comment",
  "# EOF",
  "",
  "   ",
];

export const SEEDS: string[] = [
  REALISTIC,
  ADVERSARIAL.join("\n") + "\n",
  ADVERSARIAL.join("\r\n"),
  "",
  "\n\n\n",
  "m 1",
  'm{a="b"} 1 1700000000\n',
  'm{a="\\\\\\"} 1',
  "m{",
  'm{a="',
  "m 1 2 3",
  "\ufeffbom 1",
];
