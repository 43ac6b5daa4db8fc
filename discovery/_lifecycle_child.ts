/**
 * Child process of lifecycle.test.ts: starts one discoverer of every kind
 * (some against endpoints that never answer), stops them all, and then must
 * exit on its own — any timer, watcher, socket or request left behind would
 * keep it alive. Prints "stopped" once everything is stopped.
 *
 * argv[2]: JSON {dir, httpUrl, hangUrl, dnsServer, silentDnsServer}.
 */

import { dnsSdKind } from "./dns_sd.ts";
import { fileSdKind } from "./file_sd.ts";
import { httpSdKind } from "./http_sd.ts";
import { sdEntry } from "./_test_util.ts";
import type { Discoverer, DiscoveryContext, DiscoveryKind, TargetLabels } from "./types.ts";

// Imported directly rather than through registry.ts, so other kinds' modules cannot affect this check.
const KINDS = new Map<string, DiscoveryKind>(
  [fileSdKind, httpSdKind, dnsSdKind].map((k) => [k.key, k as DiscoveryKind]),
);

const args = JSON.parse(process.argv[2] ?? "{}") as {
  dir: string;
  httpUrl: string;
  hangUrl: string;
  dnsServer: string;
  silentDnsServer: string;
};

const ctx = (extra: Record<string, unknown> = {}): DiscoveryContext => ({
  baseDir: args.dir,
  checkIntervalMs: 20,
  log: { info() {}, warn() {}, error() {} },
  ...extra,
});

function make(key: string, raw: unknown, extra: Record<string, unknown> = {}): Discoverer {
  const kind = KINDS.get(key);
  if (kind === undefined) throw new Error(`no kind ${key}`);
  return kind.create(kind.parse(sdEntry(raw, key, true, args.dir)), ctx(extra));
}

const answering = [
  make("file_sd_configs", { files: ["*.yml", "missing/*.json"] }),
  make("http_sd_configs", { url: args.httpUrl }),
  make("dns_sd_configs", { names: ["a.test"], type: "A", port: 1 }, {
    dnsServers: [args.dnsServer],
    hostsPath: "/nonexistent",
  }),
];
const hanging = [
  make("http_sd_configs", { url: args.hangUrl }),
  make("dns_sd_configs", { names: ["_x._tcp.test"] }, { dnsServers: [args.silentDnsServer] }),
];

// Never started: stop() must be safe.
make("file_sd_configs", { files: ["*.yml"] }).stop();

const firstRounds = answering.map(
  (d) =>
    new Promise<void>((resolve) => {
      let rounds = 0;
      // Several updates may come; wait for the first, then let a few periodic rounds run.
      d.start((_t: readonly TargetLabels[]) => {
        if (++rounds === 1) resolve();
      });
    }),
);
for (const d of hanging) d.start(() => {});
await Promise.all(firstRounds);
await Bun.sleep(100); // let periodic rounds and in-flight requests happen; not a synchronisation point
for (const d of [...answering, ...hanging]) {
  d.stop();
  d.stop();
}
// Started after stop: must stay inert.
answering[0]?.start(() => {
  throw new Error("update after stop");
});
console.log("stopped");
