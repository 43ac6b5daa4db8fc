/**
 * Seed corpora for JSON-line import: realistic export lines and adversarial
 * ones. Used by tests/import.test.ts and the shared fuzz test.
 *
 * @module
 */

const T = 1700000000000;
const line = (metric: string, values: string, timestamps: string) =>
  `{"metric":${metric},"values":[${values}],"timestamps":[${timestamps}]}`;

/** Lines vmagent v1.79.5 and Drover treat identically (accepted or rejected). */
export const COMMON = [
  line('{"__name__":"up","job":"node","instance":"host:9100"}', "1,1,0", `${T},${T + 15000},${T + 30000}`),
  line('{"__name__":"cpu","mode":"idle"}', "1.5,2.25e3,-0,1e400", `${T},${T + 1},${T + 2},${T + 3}`),
  line('{"__name__":"nanvals"}', "NaN,nan,-NaN,Inf,-inf", `${T},${T + 1},${T + 2},${T + 3},${T + 4}`),
  line('{"__name__":"unicode","k":"\\u00e9\\ud83d\\ude00 \\"q\\" \\\\ \\/ \\t \\x","ключ":"значение"}', "1", `${T}`),
  line('{"__name__":"dup","__name__":"dup2"}', "1", `${T}`),
  line('{"__name__":"nonstring","a":5,"b":null,"c":{"x":[1]}}', "1", `${T}`),
  '  {"metric" : {"__name__" : "spaces"} , "values" : [ 1 ] , "timestamps" : [ 1700000000000 ] }  ',
  `{"values":[2],"extra":{"a":[1,{"b":null}]},"timestamps":[${T}],"metric":{"__name__":"order"}}`,
  `{"metric":{"__name__":"firstwins"},"values":[3],"timestamps":[${T}],"values":[4,5]}`,
  line('{"__name__":"crlf"}', "1", `${T}`) + "\r",
  // Rejected by both:
  line("{}", "1", `${T}`),
  line('"notobject"', "1", `${T}`),
  line('{"__name__":"mismatch"}', "1,2", `${T}`),
  line('{"__name__":"empty"}', "", ""),
  line('{"__name__":"badnum"}', "1-2", `${T}`),
  line('{"__name__":"plus"}', "+1", `${T}`),
  line('{"__name__":"dot"}', ".5", `${T}`),
  line('{"__name__":"floatts"}', "1", `${T}.5`),
  line('{"__name__":"expts"}', "1", "1.7e12"),
  line('{"__name__":"strts"}', "1", `"${T}"`),
  line('{"__name__":"bool"}', "true", `${T}`),
  line('{"__name__":"infinity"}', "infinity", `${T}`),
  `{"metric":{"__name__":"trailing"},"values":[1],"timestamps":[${T}]} x`,
  `{"metric":{"__name__":"trailingcomma"},"values":[1,],"timestamps":[${T}]}`,
  `{"metric":{"__name__":"truncated"},"values":[1],"timestamps":[${T}]`,
  "{bad json",
  "[]",
  "null",
  "   ",
];

/** Accepted by Drover (as by later VictoriaMetrics) but rejected by vmagent v1.79.5. */
export const LENIENT = [
  line('{"__name__":"strvals"}', '"NaN","Inf","-Inf",null,"infinity"', `${T},${T + 1},${T + 2},${T + 3},${T + 4}`),
];

export const SEEDS: string[] = [
  COMMON.join("\n") + "\n",
  LENIENT.join("\n"),
  "",
  "\n\n",
  line('{"a":"b"}', "1", "1"),
  '{"metric":{"a":"\\ud800"},"values":[1],"timestamps":[1]}',
  "[".repeat(400) + "]".repeat(400),
  '{"metric":{"a":"b"},"values":[1e999999],"timestamps":[-9223372036854775808]}',
];
