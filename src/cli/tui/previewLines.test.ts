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
});
