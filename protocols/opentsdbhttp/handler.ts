/**
 * OpenTSDB HTTP `/api/put` routes. vmagent v1.79.5 serves them only on
 * `-opentsdbHTTPListenAddr` and on the HTTP side of `-opentsdbListenAddr`,
 * never on `-httpListenAddr` (there `/api/put` is "unsupported path"), so
 * these routes are not in server/routes.ts. As in vmagent, a put is accepted
 * on any path of those two listeners (`anyPath`). Unlike vmagent, a GET gets
 * 405 (docs/compatibility.md).
 *
 * @module
 */

import { BodyType } from "../_shared/protocol.ts";
import type { Route } from "../_shared/route.ts";

export const routes: readonly Route[] = [
  {
    kind: "push",
    paths: ["/api/put", "/opentsdb/api/put"],
    type: BodyType.OpenTSDBHTTP,
    protocol: "opentsdbhttp",
    successStatus: 204,
    maxBodySize: (cfg) => cfg.push.opentsdb.httpMaxInsertRequestSize,
    sizeFlag: "-opentsdbhttp.maxInsertRequestSize",
    anyPath: true,
  },
];
