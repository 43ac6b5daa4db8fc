/**
 * HTTP routes of Prometheus remote write (ingest). The body is relayed, not
 * parsed, by the parse workers (workers/parse_worker.ts).
 *
 * @module
 */

import { BodyType } from "../_shared/protocol.ts";
import type { Route } from "../_shared/route.ts";

export const routes: readonly Route[] = [
  {
    kind: "push",
    paths: ["/api/v1/write", "/api/v1/push", "/prometheus/api/v1/write", "/prometheus/api/v1/push"],
    type: BodyType.PromRemoteWrite,
    protocol: "promremotewrite",
    successStatus: 204,
    maxBodySize: (cfg) => cfg.maxInsertRequestSize,
    sizeFlag: "-maxInsertRequestSize",
    defaultEncoding: "snappy",
  },
];
