import { describe, expect, it } from "vitest";
import { UNFINISHED_LOOKBACK_BYTES, unfinishedTail } from "./unfinishedTail.js";

const bytes = (text: string) => new Uint8Array(Buffer.from(text, "latin1"));
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));

describe("unfinishedTail", () => {
  it("is 0 where the output can be cut", () => {
    for (const text of [
      "",
      "plain",
      "\x1b[31mred\x1b[0m",
      "\x1b]0;title\x07",
      "\x1b]2;t\x1b\\",
      "\x1b7",
      "\x1b(0q",
    ])
      expect(unfinishedTail(bytes(text)), JSON.stringify(text)).toBe(0);
    expect(unfinishedTail(utf8("漢字 😀 é"))).toBe(0);
  });

  it("counts a character cut short", () => {
    const kanji = utf8("ab漢");
    expect(unfinishedTail(kanji.subarray(0, 3))).toBe(1);
    expect(unfinishedTail(kanji.subarray(0, 4))).toBe(2);
    expect(unfinishedTail(utf8("😀").subarray(0, 3))).toBe(3);
  });

  it("counts an escape sequence not finished yet, from its ESC", () => {
    expect(unfinishedTail(bytes("text\x1b"))).toBe(1);
    expect(unfinishedTail(bytes("text\x1b[3"))).toBe(3);
    expect(unfinishedTail(bytes("x\x1b[?104"))).toBe(6);
    expect(unfinishedTail(bytes("x\x1b(\x1b[38;5;2"))).toBe(8);
    expect(unfinishedTail(bytes("x\x1b]0;a title"))).toBe(11);
    // ST's ESC alone: the string is still open, from its start.
    expect(unfinishedTail(bytes("x\x1b]0;t\x1b"))).toBe(6);
    expect(unfinishedTail(utf8("x\x1b]0;漢字"))).toBe(utf8("\x1b]0;漢字").length);
  });

  it("leaves a sequence cancelled or started too far back alone", () => {
    expect(unfinishedTail(bytes("\x1b[3\x18abc"))).toBe(0);
    const long = bytes(`\x1bP${"q".repeat(UNFINISHED_LOOKBACK_BYTES)}`);
    expect(unfinishedTail(long)).toBe(0);
  });
});
