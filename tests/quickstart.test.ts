/**
 * The README's quick start: `npm start` (its exact script from package.json)
 * scrapes Drover's own /metrics into the quick-start file, a pushed Influx
 * line arrives there too, and /targets lists the job.
 *
 * @module
 */

import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, Proc, ROOT, tempDir, waitFor } from "./_harness.ts";

test("npm start scrapes its own /metrics into the quick-start file and takes a pushed line", async () => {
  const script =
    (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
  const [bin, ...args] = script.split(" ");
  expect(bin).toBe("bun");
  using dir = tempDir();
  const file = join(dir.path, "samples.jsonl");
  const addr = `127.0.0.1:${await freePort()}`;
  // The environment wins over quickstart/drover.env (as it does for a user who exports a flag).
  await using p = new Proc("drover", [process.execPath, ...args], {
    httpListenAddr: addr,
    remoteWrite_tmpDataPath: join(dir.path, "queue"),
    remoteWrite_quickstartFile: file,
  });
  const rows = (): { metric: Record<string, string>; values: number[] }[] =>
    existsSync(file)
      ? readFileSync(file, "utf8").trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))
      : [];
  await waitFor(
    "the first scrape of its own /metrics",
    () => rows().some((r) => r.metric.__name__ === "up" && r.metric.job === "drover"),
  );
  expect(p.output).toContain('started scraping per -promscrape.config="quickstart/scrape.yml": drover every 10s');
  expect(rows().find((r) => r.metric.__name__ === "up")!.metric.instance).toBe(addr);
  expect(rows().some((r) => r.metric.__name__ === "vmagent_rows_inserted_total")).toBe(true);

  const res = await fetch(`http://${addr}/write`, { method: "POST", body: "room,sensor=a temp=21.5" });
  expect(res.status).toBe(204);
  await waitFor("the pushed line", () => rows().some((r) => r.metric.__name__ === "room_temp"));
  expect(rows().find((r) => r.metric.__name__ === "room_temp")).toMatchObject({
    metric: { sensor: "a" },
    values: [21.5],
  });

  const targets = await (await fetch(`http://${addr}/targets`)).text();
  expect(targets).toContain('job="drover" (1/1 up)');
  expect(await p.stop()).toBe(0);
});
