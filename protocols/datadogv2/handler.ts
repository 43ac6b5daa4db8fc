/**
 * HTTP route of DataDog v2 series (current vmagent; not in v1.79.5): 202
 * `{"status":"ok"}` as for v1.
 *
 * @module
 */

import { BodyType } from "../_shared/protocol.ts";
import type { Route } from "../_shared/route.ts";

export const routes: readonly Route[] = [
  {
    kind: "push",
    paths: ["/datadog/api/v2/series"],
    type: BodyType.DataDogV2,
    protocol: "datadogv2",
    successStatus: 202,
    successBody: `{"status":"ok"}`,
    successContentType: "application/json",
    maxBodySize: (cfg) => cfg.push.datadog.maxInsertRequestSize,
    sizeFlag: "-datadog.maxInsertRequestSize",
  },
];
