/**
 * Adapts compiled relabel rules to the SeriesWriter's RelabelStep, so the
 * push path (protocols/_shared) does not import the relabel engine.
 *
 * @module
 */

import type { RelabelStep } from "../protocols/_shared/series_writer.ts";
import { applyRelabeling, type CompiledRelabelRules, finalizeLabels, Labels } from "./apply.ts";

export function relabelStep(rules: CompiledRelabelRules): RelabelStep {
  return {
    scratch: new Labels(),
    apply: (l) => applyRelabeling(rules, l as Labels),
    finalize: (l) => finalizeLabels(l as Labels),
  };
}
