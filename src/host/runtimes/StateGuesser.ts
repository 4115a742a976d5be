/**
 * Guesses an agent's state for agents that have no hooks: output means `working`; a quiet
 * screen whose last line looks like a prompt means `waiting` (after `PROMPT_IDLE_MS`), and so
 * does a long silence. Every guess says `source: "guess"`. Once the agent reports a state
 * itself (`source: "hook"`), its runtime disposes the guesser: the hook is exact.
 */

/** Quiet this long with a prompt-like last line: the agent is most likely waiting for you. */
export const PROMPT_IDLE_MS = 2000;
/** Quiet this long whatever the screen shows: treated as waiting too (agents redraw while busy). */
export const LONG_IDLE_MS = 30_000;

/** `? `, `> `, `$ `, `: `, `❯`, `[y/N]`, `(yes/no)` and the like at the end of the last line. */
const PROMPT_PATTERN = /([?>$:#❯›»]|\[[yYnN]\/[yYnN]\]|\((yes|y)\/(no|n)\))\s*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what it strips.
const ANSI_PATTERN = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** How much of the screen's text is kept to find its last line. */
const TAIL_CHARS = 2000;

export type GuessedState = "working" | "waiting";

export interface StateGuesserOptions {
  emit: (data: { state: GuessedState; message: string; source: "guess" }) => void;
}

export class StateGuesser {
  private current: GuessedState | undefined;
  /** The end of the screen's text, escapes stripped: the last line is read from it. */
  private tail = "";
  private timer: NodeJS.Timeout | undefined;
  private silenced = false;
  private readonly decoder = new TextDecoder();

  constructor(private readonly options: StateGuesserOptions) {}

  /** Output the agent printed. */
  observe(data: Uint8Array): void {
    if (this.silenced) return;
    this.tail = `${this.tail}${this.decoder.decode(data, { stream: true }).replace(ANSI_PATTERN, "")}`.slice(
      -TAIL_CHARS,
    );
    this.set("working", "output");
    this.schedule(PROMPT_PATTERN.test(this.lastLine()) ? PROMPT_IDLE_MS : LONG_IDLE_MS);
  }

  dispose(): void {
    this.silenced = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.set("waiting", this.lastLine().trim().slice(0, 200) || "idle");
    }, ms);
    this.timer.unref();
  }

  private lastLine(): string {
    const lines = this.tail.split(/\r\n|\n|\r/).filter((line) => line.trim().length > 0);
    return lines[lines.length - 1] ?? "";
  }

  private set(state: GuessedState, message: string): void {
    if (this.silenced || state === this.current) return;
    this.current = state;
    this.options.emit({ state, message, source: "guess" });
  }
}
