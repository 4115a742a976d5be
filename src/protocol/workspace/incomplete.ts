/**
 * What a person is told of an evaluation whose outputs are not all it printed (its `eval-end`'s
 * `incomplete`): the CLI and the web say the same. Without zod, so the web's bundle takes it.
 */

/** The reasons (`EvalIncomplete` in `events.ts` is their schema). */
export const INCOMPLETE_REASONS = ["dropped", "late"] as const;
export type Incomplete = (typeof INCOMPLETE_REASONS)[number];

/** `cell` names the evaluation: "cell 3", "this cell". */
export function incompleteText(why: Incomplete, cell: string): string {
  return why === "dropped"
    ? `the kernel dropped some of ${cell}'s output (it printed faster than it could be sent): what is shown is not all of it; print less, or to a file`
    : `${cell}'s output was still coming long after it finished: it ended with what had come, the rest follows in the transcript`;
}
