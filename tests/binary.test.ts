/**
 * The compiled single binary: builds with ./compile.sh, starts from any
 * directory with its workers embedded, and relays to victoria-metrics.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Drover, have, makeWriteRequest, ROOT, tempDir, VictoriaMetrics, waitFor } from "./_harness.ts";

const HAVE_VM = have("victoria-metrics");

describe("compiled binary", () => {
  const binary = join(ROOT, "dist", "drover");

  test("./compile.sh builds dist/drover; -version, -help and bad flags behave", () => {
    const build = spawnSync("bash", [join(ROOT, "compile.sh")], { encoding: "utf8" });
    expect(build.status, build.stderr).toBe(0);
    using dir = tempDir();
    const run = (...args: string[]) => spawnSync(binary, args, { encoding: "utf8", cwd: dir.path });
    const version = run("-version");
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^drover-v\d+\.\d+\.\d+/);
    const help = run("-help");
    expect(help.status).toBe(0);
    for (
      const flag of ["-remoteWrite.url", "-httpListenAddr", "-remoteWrite.tmpDataPath", "-remoteWrite.fsyncPolicy"]
    ) {
      expect(help.stdout).toContain(flag);
    }
    const bad = run("-remoteWrite.maxRowsPerBlock=abc");
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain("-remoteWrite.maxRowsPerBlock");
  });

  test.skipIf(!HAVE_VM)("dist/drover relays from another working directory", async () => {
    using dir = tempDir();
    await using vm = await VictoriaMetrics.start();
    await using d = await Drover.start([`-remoteWrite.url=${vm.writeURL}`], { binary, cwd: dir.path });
    expect((await d.write(makeWriteRequest({ prefix: "bin", series: 250, samplesPerSeries: 4 }))).status).toBe(204);
    await waitFor("binary relayed everything", async () => (await vm.sampleCount()) === 1000);
    expect(await d.p.stop()).toBe(0);
  });
});
