/**
 * -help text for the flag table, laid out by commander's help formatter with Go-style terms
 * (`-name type`) so the output reads like vmagent's.
 */
import { Command, Option } from "commander";
import { FLAGS, type FlagSpec } from "./_flag_table.ts";

const SIZE_NOTE = "Supports the following optional suffixes for size values: KB, MB, GB, TB, KiB, MiB, GiB, TiB";
const DURATION_NOTE = "Supports Go durations (500ms, 1.5s, 1h30m), d/w/y suffixes and plain numbers of seconds";

/** Renders the help for all flags; defaults that depend on the CPU count use `cpus`. */
export function helpText(cpus: number): string {
  const specs = new Map<Option, FlagSpec>();
  const cmd = new Command("drover")
    .usage("[flags]")
    .description(
      "Drover is a vmagent-compatible metrics agent: it accepts data via the usual push protocols and\n" +
        "forwards it to Prometheus remote write compatible storage.\n" +
        "Flags may start with one or two dashes and take values as -flag=value or -flag value;\n" +
        "bool flags only as -flag or -flag=false.",
    )
    .helpOption(false)
    .optionsGroup("Flags:");
  for (const spec of FLAGS) {
    const opt = new Option(`--${spec.name}${spec.kind === "bool" ? "" : " <value>"}`, spec.help);
    cmd.addOption(opt);
    specs.set(opt, spec);
  }
  cmd.configureHelp({
    helpWidth: 120,
    sortOptions: true,
    optionTerm: (opt) => {
      const spec = specs.get(opt);
      if (spec === undefined) return opt.flags;
      if (spec.kind === "bool" && spec.array === undefined) return `-${spec.name}`;
      return `-${spec.name} ${spec.array === undefined ? spec.kind : "array"}`;
    },
    optionDescription: (opt) => {
      const spec = specs.get(opt);
      return spec === undefined ? opt.description : describe(spec, cpus);
    },
  });
  return cmd.helpInformation();
}

function describe(spec: FlagSpec, cpus: number): string {
  const parts = [spec.help];
  if (spec.choices !== undefined) parts.push(`Supported values: ${spec.choices.join(", ")}`);
  if (spec.kind === "size") parts.push(SIZE_NOTE);
  if (spec.kind === "duration") parts.push(DURATION_NOTE);
  if (spec.array === "list") {
    parts.push("Supports an array of values separated by comma or specified via multiple flags");
  }
  if (spec.array === "perURL") {
    parts.push(
      "Supports an array of values separated by comma or specified via multiple flags; " +
        "the N-th value applies to the N-th -remoteWrite.url",
    );
  }
  const def = typeof spec.def === "string" ? spec.def : spec.def(cpus);
  const shown = spec.kind === "string" || spec.kind === "enum" ? JSON.stringify(def) : def;
  return `${parts.join(". ")} (default ${shown})`;
}
