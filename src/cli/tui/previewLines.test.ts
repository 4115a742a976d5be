import { describe, expect, it } from "vitest";
import { previewLines } from "./previewLines.js";

describe("previewLines", () => {
  it("drops escapes, honours carriage returns and skips trailing blank lines", () => {
    expect(previewLines("\x1b[1mone\x1b[0m\r\n50%\r100%\r\nthree\r\n\r\n", 5)).toEqual([
      "one",
      "100%",
      "three",
    ]);
    expect(previewLines("a\nb\nc\n", 2)).toEqual(["b", "c"]);
  });

  it("shows what a full-screen app drew with cursor moves as the rows a person read", () => {
    // Recorded from vim 9 (`set ruler`, 80x24) after `G`: the last rows, then the ruler at row 24.
    const vim = "\x1b[?25l\x1b[1;1H299\r\n300\x1b[24;63H300,1\x1b[9CBot\x1b[23;1H\x1b[?25h";
    expect(previewLines(vim, 2)).toEqual(["300", "300,1         Bot"]);
    expect(previewLines("name\tsize\r\nkiwi\t3\r\n", 5)).toEqual(["name    size", "kiwi    3"]);
  });
});
