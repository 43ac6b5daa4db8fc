/**
 * Seed corpora for CSV import: `[format, body]` pairs, realistic and
 * adversarial. SEEDS holds bodies for the shared fuzz test, which runs them
 * with FUZZ_FORMAT (the fuzz harness has no query args: a missing format is
 * a ParseError, so the harness should pass `format=FUZZ_FORMAT`).
 *
 * @module
 */

/** A format using every column type. */
export const FUZZ_FORMAT = "1:label:symbol,2:time:rfc3339,3:metric:bid,4:metric:ask,6:label:venue";

export const CASES: readonly (readonly [format: string, body: string])[] = [
  [
    FUZZ_FORMAT,
    `AUDCAD,2023-05-06T07:08:09Z,0.9725,0.97273,ignored,nyse
"EUR,USD",2023-05-06T07:08:10.123+02:00,1.1,1.2,,"lse ""main"""
GBPUSD,2023-05-06T07:08:11Z,1.3,,x,lse
GBPUSD,2023-05-06T07:08:12Z,abc,1,x,lse
short,2023-05-06T07:08:13Z,1
GBPUSD,not-a-time,1,2,x,lse
"unterminated,2023-05-06T07:08:14Z,1,2,x,lse
"q"x,2023-05-06T07:08:15Z,1,2,x,lse
JPY,2023-05-06T07:08:16Z,1e3,inf,x,tokyo,extra,"broken
CHF,2023-05-06T07:08:17Z,-0,NaN,x,zurich\r
`,
  ],
  [
    "1:metric:a,2:time:unix_s",
    "1,1700000000\n2,1700000000.9\n3,-1\n4,+1700000000\n5, 1700000000\n6,\n\n7,1700000001\n",
  ],
  ["1:metric:a,2:time:unix_ms", "1,1700000000123\n2,01700000000124\n3,99999999999999999999\n"],
  ["1:metric:a,2:time:unix_ns", "1,1700000000123456789\n2,1700000000123999999\n3,17\n"],
  [
    "1:metric:a,2:time:custom:2006-01-02 15:04:05.000 -0700",
    "1,2023-05-06 07:08:09.123 +0200\n2,2023-05-06 07:08:09 +0200\n3,2023-05-06 07:08:09.1 -0130\n",
  ],
  [
    "1:metric:a,2:time:custom:Jan _2 2006 3:04PM MST",
    "1,May  6 2023 7:08PM CEST\n2,may 16 2023 12:00AM UTC\n3,Foo 6 2023 7:08PM UTC\n",
  ],
  [
    "1:metric:b,2:time:custom:2006-01-02 15:04:05 MST",
    "1,2023-05-06 07:08:09 GMT+3\n2,2023-05-06 07:08:09 +05\n3,2023-05-06 07:08:09 WITA\n4,2023-05-06 07:08:09 AB\n",
  ],
  [
    "1:metric:c,2:time:custom:2006-01-02 15:04:05 -07:00:00",
    "1,2023-05-06 07:08:09 +01:02:03\n2,2023-05-06 07:08:09 +01:02\n",
  ],
  [
    "1:metric:d,2:time:custom:January 2 2006 3PM",
    "1,May 6 2023 7AM\n2,may 6 2023 12AM\n3,May 6 2023 13PM\n4,May 32 2023 1PM\n",
  ],
  [
    "1:metric:e,2:time:custom:Monday 02-Jan-06 Z0700",
    "1,Saturday 06-May-23 Z\n2,Sat 06-May-23 Z\n3,Friday 06-May-23 -0230\n4,Friday 06-May-69 Z\n",
  ],
  [
    "1:metric:f,2:time:custom:2006 __2 15h04",
    "1,2023  5 07h08\n2,2023 126 07h08\n3,2024 366 23h59\n4,2023 366 00h00\n",
  ],
  ["1:metric:g,2:time:custom:2006-01-02 002", "1,2023-05-06 126\n2,2023-05-07 126\n"],
  ["1:metric:h,2:time:custom:20060102150405.000000", "1,20230506070809.123456\n2,20230506070809.12\n"],
  [
    "1:metric:i,2:time:custom:2006-1-2 3:4:5 pm",
    "1,2023-5-6 7:8:9 pm\n2,2023-05-06 07:08:09 am\n3,2023-5-6 7:8:9.75 am\n",
  ],
  ["1:metric:j,2:time:custom:15:04", "1,01:02\n2,1\n"],
  [
    "1:metric:k,2:time:rfc3339",
    "1,2023-01-02T03:04:05+24:00\n2,2023-01-02T3:04:05Z\n3,2023-01-02T03:04:05.123456789123-00:30\n4,1969-12-31T23:59:59.9995Z\n5,2024-02-29T00:00:00Z\n6,2023-02-29T00:00:00Z\n",
  ],
  ["2:metric:a,4:label:l", "x,1,y,lv\nx,2,y\nx,3\n,4,,\n"],
  ["1:metric:a,1:metric:b", "1\n"],
  ["1:label:x", "1\n"],
  ["", "1\n"],
];

export const SEEDS: string[] = [
  CASES[0]![1],
  "",
  "\n",
  '"',
  '""',
  ",,,,,,",
  'a,"b""c",d\r\n',
  "x,2023-05-06T07:08:09Z,1,2,3,4,5,6,7,8,9\n".repeat(3),
];
