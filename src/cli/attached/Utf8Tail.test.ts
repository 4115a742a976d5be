import { describe, expect, it } from "vitest";
import { cutCharacter } from "../../core/utf8Cut.js";
import { Utf8Tail } from "./Utf8Tail.js";

const bytes = (text: string) => Buffer.from(text, "utf8");

describe("Utf8Tail", () => {
  it("holds a character cut at a frame's end until the next frame completes it", () => {
    const tail = new Utf8Tail();
    const euro = bytes("a€");
    expect(Buffer.from(tail.take(euro.subarray(0, 2))).toString("latin1")).toBe("a");
    expect(Buffer.from(tail.take(Buffer.concat([euro.subarray(2), bytes("b")]))).toString("utf8")).toBe("€b");
  });

  it("drops what it held when a new screen replaces the old", () => {
    const tail = new Utf8Tail();
    tail.take(bytes("😀").subarray(0, 3));
    tail.drop();
    expect(Buffer.from(tail.take(bytes("\x1b[Hnew"))).toString("utf8")).toBe("\x1b[Hnew");
  });

  it("holds nothing for whole characters, ASCII, or stray continuation bytes", () => {
    expect(cutCharacter(bytes("é€😀"))).toBe(0);
    expect(cutCharacter(bytes("abc"))).toBe(0);
    expect(cutCharacter(Uint8Array.of(0x61, 0x80, 0x80, 0x80))).toBe(0);
    expect(cutCharacter(Uint8Array.of(0xf0, 0x9f, 0x98))).toBe(3);
    expect(cutCharacter(Uint8Array.of(0x61, 0xc3))).toBe(1);
  });
});
