import { describe, expect, it } from "vitest";
import { parseKeys } from "./keys.js";

describe("parseKeys", () => {
  it("reads characters, control keys and escape sequences", () => {
    expect(parseKeys("a\r\x7f\x0e\x1b[A\x1bOB\x1b[5~\x1b")).toEqual([
      { name: "char", char: "a" },
      { name: "enter" },
      { name: "backspace" },
      { name: "ctrl", char: "n" },
      { name: "up" },
      { name: "down" },
      { name: "pageup" },
      { name: "escape" },
    ]);
  });

  it("keeps a character outside the BMP whole", () => {
    expect(parseKeys("😀")).toEqual([{ name: "char", char: "😀" }]);
  });
});
