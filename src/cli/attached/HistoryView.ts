/**
 * Older output in attached mode (prefix, then `h` or PageUp): a full-screen pager over the
 * session's stored output as plain lines, read backwards from the hub's log a page at a time
 * (`GET /api/sessions/:name/history?before=SEQ`) as the user scrolls up, back to the start of
 * what retention kept. The live terminal keeps only what it last drew; this reaches the rest.
 */
import { type Key, parseKeys } from "../tui/keys.js";
import { CLEAR_SCREEN, fitWidth, moveTo, plainText } from "../tui/screen.js";

/** One page read backwards: output events, oldest first, and the oldest seq stored. */
export interface HistoryPage {
  events: { seq: number; type: string; data: unknown }[];
  firstSeq: number;
}

export interface HistoryViewOptions {
  /** The session's name, for the bottom row. */
  name: string;
  /** Reads the newest events before `before` (the hub's history route). */
  fetchOlder(before: number): Promise<HistoryPage>;
  /** Output after the newest seq the view covers (the client's last seq + 1). */
  before: number;
  size(): { cols: number; rows: number };
  /** Writes to the terminal. */
  write(text: string): void;
}

const REVERSE = "\x1b[7m";
const RESET = "\x1b[0m";
/** The line above the oldest one retention kept. */
const START_MARK = "── start of the stored output ──";
/** How close to the top of what is loaded the view fetches the next older page. */
const PREFETCH_LINES = 2;

export class HistoryView {
  /**
   * The raw bytes of the first loaded line, which may have begun in the page not read yet: joined
   * to that page when it comes, so only the new page is split into lines (not everything loaded
   * again at each page, which made paging back through a long log slower with every page).
   */
  private headBytes: Buffer = Buffer.alloc(0);
  private lines: string[] = [];
  /** Index of the first line shown; starts at the end. */
  private top = 0;
  /** Seq of the oldest event loaded; the next page is read before it. */
  private oldest: number;
  private reachedStart = false;
  private loading: Promise<void> | undefined;
  private error: string | undefined;
  private closed = false;
  /**
   * Keys typed while the first page loads (the prefix, `h` and PageUp typed at once, or faster
   * than the hub answers): moved by once it is in, since a move before then has no lines to go by.
   */
  private early: Key[] | undefined;

  constructor(private readonly options: HistoryViewOptions) {
    this.oldest = options.before;
  }

  /** Loads the first page and shows its end, moved by any keys typed meanwhile. */
  async open(): Promise<void> {
    const early: Key[] = [];
    this.early = early;
    // Started before the first draw, so it says the output is loading (not that there is none).
    const loaded = this.loadOlder();
    this.draw();
    await loaded;
    this.top = Math.max(0, this.lines.length - this.pageRows());
    this.early = undefined;
    for (const key of early) this.move(key);
    this.draw();
  }

  /** Handles keys; returns true when the user leaves the view. */
  feed(data: string): boolean {
    for (const key of parseKeys(data)) {
      if (isLeave(key)) {
        this.closed = true;
        return true;
      }
      if (this.early) this.early.push(key);
      else this.move(key);
    }
    this.draw();
    return false;
  }

  close(): void {
    this.closed = true;
  }

  /** Draws again (the terminal was resized). */
  redraw(): void {
    this.top = Math.max(0, Math.min(this.top, this.lines.length - this.pageRows()));
    this.draw();
  }

  private move(key: Key): void {
    const page = this.pageRows();
    const step =
      key.name === "up" || (key.name === "char" && key.char === "k")
        ? -1
        : key.name === "down" || (key.name === "char" && key.char === "j")
          ? 1
          : key.name === "pageup" || (key.name === "char" && key.char === "b") || isCtrl(key, "b")
            ? -page
            : key.name === "pagedown" || (key.name === "char" && (key.char === " " || key.char === "f"))
              ? page
              : key.name === "home" || (key.name === "char" && key.char === "g")
                ? -Number.MAX_SAFE_INTEGER
                : key.name === "end" || (key.name === "char" && key.char === "G")
                  ? Number.MAX_SAFE_INTEGER
                  : 0;
    if (step === 0) return;
    this.top = Math.max(0, Math.min(this.lines.length - page, this.top + step));
    if (this.top <= PREFETCH_LINES && !this.reachedStart) void this.loadOlder().then(() => this.draw());
  }

  /** Reads one more page backwards, keeping the lines shown where they are. */
  private loadOlder(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const page = await this.options.fetchOlder(this.oldest);
        const output = page.events.filter((e) => e.type === "output" && typeof e.data === "string");
        const first = page.events[0];
        if (first) this.oldest = first.seq;
        this.reachedStart = !first || first.seq <= page.firstSeq || this.oldest <= 1;
        const before = this.lines.length;
        if (output.length > 0) {
          const bytes = Buffer.concat([
            ...output.map((e) => Buffer.from(e.data as string, "base64")),
            this.headBytes,
          ]);
          const newline = bytes.indexOf(0x0a);
          this.headBytes = Buffer.from(bytes.subarray(0, newline === -1 ? bytes.length : newline));
          const text = bytes.toString("utf8");
          // The page's last line is the old first line, now whole: it takes that line's place.
          const older = this.lines.length === 0 ? toLines(text) : splitLines(text);
          this.lines = [...(this.reachedStart ? [START_MARK] : []), ...older, ...this.lines.slice(1)];
        } else if (this.reachedStart && this.lines[0] !== START_MARK && this.lines.length > 0) {
          this.lines = [START_MARK, ...this.lines];
        }
        this.top += this.lines.length - before;
        this.error = undefined;
      } catch (err) {
        this.error = err instanceof Error ? err.message : String(err);
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  private pageRows(): number {
    return Math.max(1, this.options.size().rows - 1);
  }

  private draw(): void {
    if (this.closed) return;
    const { cols, rows } = this.options.size();
    const page = this.pageRows();
    const shown: string[] = [];
    for (let i = 0; i < page; i++) {
      const at = this.top + i;
      const line =
        at < this.lines.length
          ? (this.lines[at] as string)
          : at === 0 && this.lines.length === 0 && !this.loading
            ? "(no stored output)"
            : "";
      shown.push(fitWidth(line, cols).trimEnd());
    }
    const last = Math.min(this.lines.length, this.top + page);
    const where = this.loading
      ? "loading older output…"
      : this.error
        ? `error: ${this.error}`
        : `lines ${this.lines.length === 0 ? 0 : this.top + 1}–${last} of ${this.lines.length}${this.reachedStart ? "" : "+"}`;
    const bar = ` history of ${this.options.name}: ${where}   ↑↓ PgUp PgDn g G   q back`;
    this.options.write(
      `${CLEAR_SCREEN}${shown.join("\r\n")}${moveTo(rows)}${REVERSE}${fitWidth(bar, cols)}${RESET}`,
    );
  }
}

function isLeave(key: Key): boolean {
  return (
    key.name === "escape" ||
    key.name === "enter" ||
    (key.name === "char" && key.char === "q") ||
    isCtrl(key, "c")
  );
}

function isCtrl(key: Key, char: string): boolean {
  return key.name === "ctrl" && key.char === char;
}

/** Output as the lines it printed: escapes dropped, a line rewritten with `\r` as it was left. */
export function toLines(output: string): string[] {
  const lines = splitLines(output);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Each `\n`-separated line as it was left, blank ones at the end kept. */
function splitLines(output: string): string[] {
  return output.split("\n").map((line) => {
    const parts = line.replace(/\r+$/, "").split("\r");
    return plainText(parts[parts.length - 1] ?? "").trimEnd();
  });
}
