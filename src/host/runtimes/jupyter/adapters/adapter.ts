/**
 * An introspection adapter: the code a workspace runs in a kernel of one language, silently
 * (`silent: true`, `store_history: false`), to list its variables and open an object. Each
 * call prints its answer, one JSON line after `ANSWER_MARK`, which the runtime parses with the
 * schemas of `kinds/workspace`. One module per language; a kernel whose language has none
 * still evaluates.
 */

/**
 * What starts an adapter's answer on stdout, written with it in one write. A background thread
 * of the user's prints under whatever request the kernel runs, this silent one too: the mark
 * tells the answer from those lines, which go to the cell (`workspace/QuietStdout.ts`). Control
 * characters no program's ordinary output has.
 */
export const ANSWER_MARK = "\u0002dispatch-answer\u0003";

export interface IntrospectionAdapter {
  readonly name: string;
  /** Run once after the kernel starts (defines the helpers the calls below use). */
  readonly setup: string;
  /** Answers `{variables: [...]}`. */
  variables(): string;
  /** Answers an `InspectedObject` for `expr`, children `offset`..`offset+limit`, or `{error}`. */
  inspect(expr: string, offset: number, limit: number): string;
  /** The expression holding the last evaluation's result (mode `inspect`). */
  readonly lastResult: string;
}
