import { describe, expect, it } from "vitest";
import { scannedTail, UNFINISHED_LOOKBACK_BYTES, unfinishedTail } from "./unfinishedTail.js";

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

  it("answers as a walk through every byte does, for any output", () => {
    // Bytes that move the parser (ESC, introducers, ST, BEL, CAN, finals, parameters) and
    // UTF-8 lead and continuation bytes, in random runs, some longer than the look-back.
    const alphabet = [
      0x1b, 0x5b, 0x5d, 0x50, 0x5c, 0x07, 0x18, 0x3b, 0x33, 0x6d, 0x41, 0x20, 0x0d, 0xe6, 0xbc, 0xa2, 0xf0,
      0xc3,
    ];
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 20_000; run++) {
      const length = run % 100 === 0 ? UNFINISHED_LOOKBACK_BYTES + random(200) : random(40);
      const output = Uint8Array.from({ length }, () => alphabet[random(alphabet.length)] as number);
      expect(unfinishedTail(output), Buffer.from(output).toString("hex")).toBe(scannedTail(output));
    }
  });
});
