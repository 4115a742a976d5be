/**
 * Where an output goes among a cell's outputs, as Jupyter frontends place them: `clear_output`
 * empties the list first, and `update_display_data` replaces the displays of its `displayId`
 * instead of adding one. Shared by the host (an evaluation's answer) and the web view.
 */
import type { EvalOutput } from "./events.js";

/** A display's new contents, as it is kept once shown (no longer an update). */
function updated(output: EvalOutput): EvalOutput {
  const { update: _update, ...shown } = output as Extract<EvalOutput, { type: "display" | "result" }>;
  return shown;
}

/**
 * Replaces the displays of `output.displayId` in `outputs` with its contents; whether any was
 * there. An update names no display: nothing is replaced.
 */
export function updateDisplays(outputs: EvalOutput[], output: EvalOutput): boolean {
  if (output.type !== "display" || output.displayId === undefined) return false;
  let found = false;
  for (let i = 0; i < outputs.length; i++) {
    const shown = outputs[i];
    if (shown?.type === "display" && shown.displayId === output.displayId) {
      outputs[i] = updated(output);
      found = true;
    }
  }
  return found;
}

/** Whether `output` only updates displays already shown (`update_display_data`). */
export const isUpdate = (output: EvalOutput): boolean => output.type === "display" && output.update === true;

/**
 * Places `output` in a cell's `outputs` (after clearing them when `clear`); an update replaces
 * the cell's displays of its id and adds nothing.
 */
export function placeOutput(outputs: EvalOutput[], output: EvalOutput, clear = false): void {
  if (clear) outputs.length = 0;
  if (isUpdate(output)) updateDisplays(outputs, output);
  else outputs.push(output);
}
