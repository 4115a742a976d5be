import unicode11Addon from "@xterm/addon-unicode11";
import headless from "@xterm/headless";
import { describe, expect, it } from "vitest";
import { completeLines, plainLines } from "./plainText.js";

// Output recorded from real programs in an 80x24 PTY (TERM=xterm-256color), cut to a few rows.
/** vim 9 (`vim -u NONE -N -c 'set ruler' nums.txt`, a 300-line file): opened, then `G`, then `:q`. */
const VIM =
  '\x1b[?1049h\x1b[22;0;0t\x1b[1;24r\x1b[m\x1b[H\x1b[2J\x1b[?25l\x1b[24;1H"/tmp/h5cap/nums.txt" 300L, 1092B' +
  "\x1b[2;1H▽\x1b[6n\x1b[2;1H  \x1b[3;1H\x1bPzz\x1b\\\x1b[0%m\x1b[6n\x1b[3;1H           \x1b[1;1H\x1b[>c\x1b]10;?\x07" +
  "\x1b[1;1H1\r\n2\x1b[2;2H\x1b[K\x1b[3;1H3\x1b[3;2H\x1b[K\x1b[4;1H4\r\n5\x1b[24;63H1,1\x1b[11CTop\x1b[1;1H\x1b[?25h" +
  "\x1b[?4m\x1b[?25l299\r\n300\x1b[24;63H300,1\x1b[9CBot\x1b[23;1H\x1b[?25h\x1b[?25l\x1b[24;1H\x1b[K\x1b[24;1H:q\r" +
  "\x1b[?2004l\x1b[>4;m\x1b[23;2t\x1b[23;1t\x1b[24;1H\x1b[K\x1b[24;1H\x1b[?1004l\x1b[?2004l\x1b[?1l\x1b>\x1b[?1049l";

/** top 4 (`top -n 1 -w 80`): ncurses' `ESC ( B` around every colour change, `ESC[K` at row ends. */
const TOP =
  "\x1b[?1h\x1b=\x1b[?25l\x1b[H\x1b[2J\x1b(B\x1b[mtop - 19:24:24 up  9:12,  0 user,  load average: 5.64, 3.90, 3.76" +
  "\x1b(B\x1b[m\x1b[39;49m\x1b(B\x1b[m\x1b[39;49m\x1b[K\r\nTasks:\x1b(B\x1b[m\x1b[39;49m\x1b[1m 130 \x1b(B\x1b[m\x1b[39;49mtotal," +
  "\x1b(B\x1b[m\x1b[39;49m\x1b[1m   7 \x1b(B\x1b[m\x1b[39;49mrunning,\x1b(B\x1b[m\x1b[39;49m\x1b[1m 123 \x1b(B\x1b[m\x1b[39;49m" +
  "sleeping,\x1b(B\x1b[m\x1b[39;49m\x1b[K\r\n\x1b[K\r\n\x1b[7m  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM" +
  "     TIME+ COMMAND    \x1b(B\x1b[m\x1b[39;49m\x1b[K\r\n";

/** bash 5.2 with readline: `echo hello world`, five times ←, `big `, Enter. */
const BASH =
  "\x1b[?2004hbash-5.2# echo hello world\b\b\b\b\bbig world\b\b\b\b\b\r\n\x1b[?2004l\rhello big world\r\n" +
  "\x1b[?2004hbash-5.2# ";

/** GNU ls 9 (`ls --color=always -C`): columns of spaces, names coloured. */
const LS =
  "\x1b[0m\x1b[01;32malpha.txt\x1b[0m    echo.txt     \x1b[01;34msub2\x1b[0m\r\nbravo.txt    foxtrot.txt\r\n";

describe("plainLines", () => {
  it("reads vim's screen as rows: the ruler spaced and on its own line, erased text gone", () => {
    expect(plainLines(VIM)).toEqual([
      '"/tmp/h5cap/nums.txt" 300L, 1092B',
      "1",
      "2",
      "3",
      "4",
      "5",
      "1,1           Top",
      "299",
      "300",
      "300,1         Bot",
      ":q",
    ]);
  });

  it("reads top's header without ncurses' charset escapes glued into the words", () => {
    expect(plainLines(TOP)).toEqual([
      "top - 19:24:24 up  9:12,  0 user,  load average: 5.64, 3.90, 3.76",
      "Tasks: 130 total,   7 running, 123 sleeping,",
      "",
      "  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND",
    ]);
  });

  it("reads a command line edited with readline as it was left", () => {
    expect(plainLines(BASH)).toEqual(["bash-5.2# echo hello big world", "hello big world", "bash-5.2#"]);
  });

  it("keeps columns and indentation; tabs become the blanks to the next tab stop", () => {
    expect(plainLines(LS)).toEqual(["alpha.txt    echo.txt     sub2", "bravo.txt    foxtrot.txt"]);
    expect(plainLines("name\tsize\r\n  a.txt\t12\r\n")).toEqual(["name    size", "  a.txt 12"]);
    expect(plainLines("\x1b[1Gname\x1b[9Gsize\r\n")).toEqual(["name    size"]);
  });

  it("keeps what a progress line read before it was wiped at the end", () => {
    expect(plainLines("copying  10%\rcopying  55%\r\x1b[K\r\n$ ")).toEqual(["copying  55%", "$"]);
    expect(plainLines("50%\r100%\r\n\r\nnext\r\n")).toEqual(["100%", "", "next"]);
  });
});

describe("completeLines", () => {
  it("leaves the open line raw, begun at the newline or at the move to its row", () => {
    expect(completeLines("one\r\ntw")).toEqual({ lines: ["one"], open: "tw" });
    expect(completeLines("\x1b[1;1Hone\x1b[24;63H1,1\x1b[11CT")).toEqual({
      lines: ["one"],
      open: "\x1b[24;63H1,1\x1b[11CT",
    });
    // A carriage return at the very end may be a line ending cut in two: still the fast path.
    expect(completeLines("one\r\ntwo\r")).toEqual({ lines: ["one"], open: "two\r" });
  });
});

describe("output that asks for absurd columns", () => {
  it("is read within a row's width, not thrown out or left to grow", () => {
    const far = plainLines("a\x1b[999999999Gb\n");
    expect(far).toHaveLength(1);
    expect(far[0]).toMatch(/^a +b$/);
    expect(far[0]).toHaveLength(2048);
    expect(plainLines("\x1b[1;1Hx\x1b[1;2000000000Hz\x1b[3;1H")[0]).toMatch(/^x {2046}z$/);
    expect(plainLines(`a\x1b[999999999Xb${"\x1b[2048@".repeat(50)}\n`)[0]?.length).toBeLessThanOrEqual(2048);
    const overwritten = plainLines(`\x1b[2J${"x".repeat(200_000)}${"\bY".repeat(100_000)}\n`);
    expect(overwritten[0]?.length).toBe(2048);
    expect(overwritten[0]?.endsWith("xY")).toBe(true);
  });
});

describe("double-width characters and combining marks", () => {
  /** What a terminal with the hub's widths (Unicode 11) shows on its first row after `output`. */
  async function terminalRow(output: string): Promise<string> {
    const terminal = new headless.Terminal({ cols: 40, rows: 4, allowProposedApi: true, logLevel: "error" });
    terminal.loadAddon(new unicode11Addon.Unicode11Addon());
    terminal.unicode.activeVersion = "11";
    await new Promise<void>((resolve) => terminal.write(output, resolve));
    const row = terminal.buffer.active.getLine(0)?.translateToString(true) ?? "";
    terminal.dispose();
    return row;
  }

  it("takes the columns a terminal gives them, so text a move places after them lands where it shows", async () => {
    const drawn = [
      // A status line redrawn in part (htop, vim's ruler): the count goes after ten columns.
      "\x1b[1;1H名前: 太郎\x1b[1;11H(7)\x1b[2;1H",
      "\x1b[1;1H✅ ready\x1b[1;12Hok\x1b[2;1H",
      "\x1b[1;1H😀 x\x1b[1;6Hy\x1b[2;1H",
      "\x1b[1;1H𝐀\x1b[1;2Hb\x1b[2;1H",
      "\x1b[1;1Hcafe\u0301\x1b[1;6H!\x1b[2;1H",
      // Half a wide character overwritten, or erased: both halves blank.
      "\x1b[1;1H中文字\x1b[1;2Hx\x1b[1;6Hz\x1b[2;1H",
      "\x1b[1;1Hab中文\x1b[1;4H\x1b[K\x1b[2;1H",
      "\x1b[1;1H中文字\x1b[1;3H\x1b[1P\x1b[2;1H",
    ];
    // Tabs in plain lines (no moves) too.
    drawn.push("名前\tx\t😀\ty\r\n");
    for (const output of drawn)
      expect(plainLines(output), JSON.stringify(output)).toEqual([await terminalRow(output)]);
    expect(plainLines(drawn[0] as string)).toEqual(["名前: 太郎(7)"]);
  });
});
