/**
 * Seed corpus of OpenTSDB HTTP `/api/put` bodies, realistic and adversarial,
 * for the differential test (tests/opentsdb.test.ts) and the shared fuzz
 * test. Each seed is one request body.
 *
 * @module
 */

const T = 1_700_000_000;

export const SEEDS: string[] = [
  // Realistic: one object, and an array as the OpenTSDB docs show.
  `{"metric":"sys.cpu.nice","timestamp":${T},"value":18,"tags":{"host":"web01","dc":"lga"}}`,
  `[{"metric":"sys.cpu.nice","timestamp":${T},"value":18,"tags":{"host":"web01","dc":"lga"}},` +
  `{"metric":"sys.cpu.nice","timestamp":${T},"value":9,"tags":{"host":"web02","dc":"lga"}}]`,
  // Strings for numbers, ms and s timestamps, missing timestamps.
  `[{"metric":"str.value","value":"2.5","timestamp":"${T}"},{"metric":"ms.ts","value":3,"timestamp":${T}123},` +
  `{"metric":"exp.ts","value":1e3,"timestamp":"1.7e9"},{"metric":"no.ts","value":4}]`,
  // Specials and lenient numbers.
  `[{"metric":"nan","value":NaN,"timestamp":${T}},{"metric":"ninf","value":-inf,"timestamp":${T}},` +
  `{"metric":"pinf","value":+Inf,"timestamp":${T}},{"metric":"unused","value":1,"timestamp":${T},"x":1.2.3e+-}]`,
  // Tags: empty keys/values, duplicates, escapes.
  `{"metric":"tags","value":7,"timestamp":${T},"tags":{"":"x","y":"","z":"w","z":"w2","k\\u0041":"v\\ud83d\\ude00\\x"}}`,
  // Invalid items between valid ones.
  `[{"metric":"ok1","value":1,"timestamp":${T}},{"metric":"bad","value":1,"tags":{"a":1}},{"metric":"","value":1},` +
  `{"value":1},{"metric":"noval"},5,{"metric":"plus","value":+5},{"metric":"dot","value":.5},{"metric":"s","value":"abc"},` +
  `{"metric":"nullts","value":1,"timestamp":null},{"metric":"nulltags","value":1,"tags":null},{"metric":"ok2","value":2,"timestamp":${T}}]`,
  // Escaped keys and first-wins duplicates.
  `{"met\\u0072ic":"esc","val\\u0075e":2,"value":3,"metric":"dup","timestamp":${T}}`,
  // Not an object or array; malformed documents.
  `"just a string"`,
  `[{"metric":"a","value":1},]`,
  `{"metric":"unterminated`,
  `\ufeff{"metric":"bom","value":1}`,
  "[".repeat(40) + "]".repeat(40),
  "",
];
