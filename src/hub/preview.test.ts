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
});
