/**
 * Parse-worker side of `/api/v1/import` (JSON lines).
 *
 * @module
 */

import { BodyType, type ProtocolParser } from "../_shared/protocol.ts";
import { parseVmImport } from "./parse.ts";

export const vmimportProtocol: ProtocolParser = {
  type: BodyType.VMImport,
  name: "vmimport",
  parse(body, ctx) {
    parseVmImport(body, ctx.w, {
      maxLineLen: ctx.config.importMaxLineLen,
      invalidLine: (reason, line) => ctx.invalidLine(reason, line),
    });
  },
};
