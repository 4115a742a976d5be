import { describe, expect, it } from "vitest";
import { lastLine } from "./preview.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("lastLine", () => {
  it("is the last line with something visible, without escapes or surrounding blanks", () => {
    expect(lastLine(bytes("first\r\n  \x1b[32msecond\x1b[0m  \r\n\x1b[2K\r\n"), "")).toBe("second");
    expect(lastLine(bytes("$ make\r\nbuilding"), "")).toBe("building");
    expect(lastLine(bytes("y\r\n".repeat(5000)), "")).toBe("y");
  });

  it("keeps the previous preview when nothing visible was printed", () => {
    expect(lastLine(bytes("\r\n\x1b[?25h\r\n   \n"), "kept")).toBe("kept");
    expect(lastLine(bytes(""), "kept")).toBe("kept");
  });

  it("reads only the tail and bounds the length", () => {
    expect(lastLine(bytes(`${"x".repeat(5000)}`), "")).toHaveLength(160);
    expect(lastLine(bytes(`early line\n${" ".repeat(3000)}`), "kept")).toBe("kept");
  });

  it("does not glue text a full-screen app placed with cursor movements", () => {
    // Recorded from vim 9 (80x24, `set ruler`) opening a 300-line file, then `G` and `50%`:
    // the file's rows end in \r\n, the ruler is written at row 24 with absolute positioning.
    const opened =
      "\x1b[4;1H4\r\n5\r\n22\r\n23\x1b[24;63H1,1\x1b[11CTop\x1b[1;1H\x1b[?25h\x1b[?4m\x1b[?25l278\r\n" +
      "299\r\n300\x1b[24;63H300,1\x1b[9CBot\x1b[23;1H\x1b[?25h";
    expect(lastLine(bytes(opened), "")).toBe("300,1 Bot");
    const moved = `${opened}\x1b[?25l\x1b[1;1H139\r\n140\r\n161\x1b[24;63H15\x1b[12C49%\x1b[12;1H\x1b[?25h`;
    expect(lastLine(bytes(moved), "")).toBe("15 49%");
    // vim's message line, then the cursor sent back into the text.
    const message = '\x1b[24;1H"/tmp/nums.txt" 300L, 1092B\x1b[24;63H1,1\x1b[11CTop\x1b[1;1H';
    expect(lastLine(bytes(message), "")).toBe("1,1 Top");
  });

  it("shows what a line redrawn with carriage returns finally reads", () => {
    expect(lastLine(bytes("copying  10%\rcopying  55%\r\x1b[K"), "")).toBe("copying  55%");
    expect(lastLine(bytes("\x1b[2J\x1b[Hload average: 0.52"), "")).toBe("load average: 0.52");
  });
});
