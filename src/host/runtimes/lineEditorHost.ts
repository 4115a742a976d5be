/**
 * What a line editor (`LineEditor`) needs of the runtime it types into (a workspace's console,
 * a chat): where its echo goes, the prompts, and what Enter, Ctrl-C and Tab do there.
 */
import type { CompletionAnswer } from "./lineCompletion.js";

export interface LineEditorHost {
  /** Writes to the session's output as is. */
  echo(text: string): void;
  /** Whether the session's output ends its line (the prompt then needs no new row). */
  atLineStart(): boolean;
  /** The prompt before the line being typed; it may change between lines. */
  prompt(): string;
  /** The prompt of each further row of a line holding newlines (a cell recalled whole). */
  continuation?(): string;
  /** Whether what is typed stays unseen (a password). */
  masked(): boolean;
  /** Up and Down bring back the typist's own lines (`remember` with `by`), not everyone's. */
  historyPerPerson?: boolean;
  /**
   * Enter was pressed on `line`; the next key waits for it. It ends the line with `endLine`,
   * `take` or `continueWith`.
   */
  enter(line: string): void | Promise<void>;
  /** Ctrl-C (the line already dropped, `^C` written when one was shown). */
  interrupt(): void;
  /** The terminal's width when the session has one: a line wraps over rows at it. */
  cols?(): number | undefined;
  /**
   * Tab after a word: what completes it at `cursor` (in characters); the next key waits for it.
   * Undefined: Tab types spaces here.
   */
  complete?(line: string, cursor: number): Promise<CompletionAnswer | undefined>;
}
