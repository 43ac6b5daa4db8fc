/**
 * HTTP routes of DataDog v1: the series push endpoint and the stubs the
 * DataDog agent calls besides it. Bodies and statuses are vmagent's (checked
 * against v1.79.5 in tests/datadog.test.ts); the stubs answer any method, as
 * vmagent does. `/datadog/intake/` (with a slash) and other variants are not
 * served by vmagent either (400 unsupported path).
 *
 * @module
 */

import { BodyType } from "../_shared/protocol.ts";
import type { Route, StaticRoute } from "../_shared/route.ts";

function json(paths: string[], status: number, body: string): StaticRoute {
  return {
    kind: "static",
    paths,
    respond: () => new Response(body, { status, headers: { "Content-Type": "application/json" } }),
  };
}

export const routes: readonly Route[] = [
  {
    kind: "push",
    paths: ["/datadog/api/v1/series"],
    type: BodyType.DataDogV1,
    protocol: "datadog",
    successStatus: 202,
    successBody: `{"status":"ok"}`,
    successContentType: "application/json",
    maxBodySize: (cfg) => cfg.push.datadog.maxInsertRequestSize,
    sizeFlag: "-datadog.maxInsertRequestSize",
  },
  json(["/datadog/api/v1/validate"], 200, `{"valid":true}`),
  json(["/datadog/api/v1/check_run"], 202, `{"status":"ok"}`),
  json(["/datadog/intake", "/datadog/api/v1/metadata"], 200, "{}"),
];
