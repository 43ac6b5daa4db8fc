/**
 * Loading relabel config files (`-remoteWrite.relabelConfig`,
 * `-remoteWrite.urlRelabelConfig`): a local YAML file or an http(s) URL
 * holding a list of relabel rules.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { type CompiledRelabelRules, parseRelabelConfigs } from "./apply.ts";

/** Reads and compiles a relabel config; `flag` names the source in errors. */
export async function loadRelabelConfig(source: string, flag: string): Promise<CompiledRelabelRules> {
  let text: string;
  try {
    if (/^https?:\/\//i.test(source)) {
      const res = await fetch(source);
      if (!res.ok) throw new Error(`unexpected status ${res.status}`);
      text = await res.text();
    } else {
      text = readFileSync(source, "utf8");
    }
  } catch (err: unknown) {
    throw new Error(`Cannot read ${flag}=${JSON.stringify(source)}: ${(err as Error).message}`);
  }
  try {
    return parseRelabelConfigs(parseYaml(text, { uniqueKeys: true }) as unknown, flag.replace(/^-/, ""));
  } catch (err: unknown) {
    throw new Error(`Cannot parse ${flag}=${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}
