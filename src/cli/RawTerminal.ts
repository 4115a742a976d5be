/**
 * The real terminal of `dispatch attach`: raw mode on entry, and restored on every way out.
 * `restore()` is idempotent and synchronous, so it is safe from `exit` handlers, signal
 * handlers and error paths alike.
 */

/**
 * Written when leaving: undoes the modes a program in the session may have switched on, so the
 * user's shell is usable again whatever state the session was in.
 */
export const TERMINAL_RESET = [
  "\x1b[0m", // attributes (colour, bold, inverse) off
  "\x1b[?1049l", // leave the alternate screen
  "\x1b[?25h", // show the cursor
  "\x1b[?1l", // normal cursor keys
  "\x1b>", // normal keypad
  "\x1b[?2004l", // bracketed paste off
  "\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l", // mouse reporting off
  "\x1b[?1004l", // focus reporting off
].join("");

export class RawTerminal {
  private raw = false;
  private restored = false;
  private wrote = false;

  constructor(
    private readonly stdin: NodeJS.ReadStream = process.stdin,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
  ) {}

  /** Switches to raw mode (when stdin is a terminal) and starts reading. */
  enter(): void {
    // Never raw again once restored: a late enter() would leave the user's shell raw.
    if (this.restored) return;
    if (this.stdin.isTTY) {
      this.stdin.setRawMode(true);
      this.raw = true;
    }
    this.stdin.resume();
  }

  /** The terminal size, when stdout is a terminal. */
  size(): { cols: number; rows: number } | undefined {
    if (!this.stdout.isTTY || !this.stdout.columns || !this.stdout.rows) return undefined;
    return { cols: this.stdout.columns, rows: this.stdout.rows };
  }

  /**
   * Writes to the terminal, unless it has been restored: output that arrives while leaving
   * (a late frame, a redraw) must not land after the reset and switch modes back on.
   */
  write(data: string | Uint8Array): void {
    if (this.restored) return;
    this.wrote = true;
    this.stdout.write(data);
  }

  /** Whether the terminal has been restored (nothing more is written). */
  get isRestored(): boolean {
    return this.restored;
  }

  /**
   * Cooked mode again and, when anything was written, `before` (what the caller drew, such as
   * a status bar, undone) then `TERMINAL_RESET`. A terminal never written to is left untouched.
   */
  restore(before = ""): void {
    if (this.restored) return;
    this.restored = true;
    if (this.raw) {
      try {
        this.stdin.setRawMode(false);
      } catch {
        // The terminal is gone (hang-up): nothing left to restore.
      }
    }
    this.stdin.pause();
    if (this.stdout.isTTY && this.wrote) {
      try {
        this.stdout.write(before + TERMINAL_RESET);
      } catch {
        // Same: a closed terminal cannot be reset.
      }
    }
  }
}
