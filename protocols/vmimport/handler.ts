/**
 * HTTP route of JSON-line import. vmagent v1.79.5 serves only the bare path
 * (no `/prometheus/` alias).
 *
 * @module
 */

import { BodyType } from "../_shared/protocol.ts";
import type { Route } from "../_shared/route.ts";

export const routes: readonly Route[] = [
  {
    kind: "push",
    paths: ["/api/v1/import"],
    type: BodyType.VMImport,
    protocol: "vmimport",
    successStatus: 204,
    maxBodySize: (cfg) => cfg.push.importMaxRequestSize,
    sizeFlag: "-import.maxRequestSize",
  },
];
