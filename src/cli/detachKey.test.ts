import { describe, expect, it } from "vitest";
import { DEFAULT_DETACH_KEY, findDetachKey, parseDetachKey } from "./detachKey.js";
import { UsageError } from "./exitCodes.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("parseDetachKey", () => {
  it("defaults to Ctrl-\\ (0x1c)", () => {
    const key = parseDetachKey(DEFAULT_DETACH_KEY);
    expect(key?.label).toBe("Ctrl-\\");
    expect(Array.from(key?.sequences[0] ?? [])).toEqual([0x1c]);
  });

  it.each([
    ["ctrl-]", 0x1d],
    ["ctrl-a", 0x01],
    ["CTRL+A", 0x01],
    ["C-b", 0x02],
    ["^Q", 0x11],
    ["ctrl-_", 0x1f],
    ["ctrl-@", 0x00],
  ])("parses %s", (text, byte) => {
    expect(Array.from(parseDetachKey(text)?.sequences[0] ?? [])).toEqual([byte]);
  });

  it("turns off with none", () => {
    expect(parseDetachKey("none")).toBeUndefined();
  });

  it.each(["x", "ctrl-", "ctrl-ab", "alt-a", "ctrl-1", "ctrl-m", "ctrl-["])(
    "rejects %s as a usage error",
    (text) => {
      expect(() => parseDetachKey(text)).toThrow(UsageError);
    },
  );
});

describe("findDetachKey", () => {
  const key = parseDetachKey("ctrl-\\");

  it("finds the control byte inside a chunk", () => {
    expect(findDetachKey(bytes("ab\x1ccd"), key)).toBe(2);
  });

  it("finds the kitty keyboard form", () => {
    expect(findDetachKey(bytes("x\x1b[92;5u"), key)).toBe(1);
  });

  it("answers -1 when absent or turned off", () => {
    expect(findDetachKey(bytes("hello"), key)).toBe(-1);
    expect(findDetachKey(bytes("\x1c"), undefined)).toBe(-1);
  });
});
