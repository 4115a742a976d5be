/** Unit tests for cutting a large paste into client messages (no browser needed). */
import { describe, expect, it } from "vitest";
import { MAX_CLIENT_MESSAGE_BYTES } from "../../src/protocol/client.js";
import { inputPieces, MAX_INPUT_PIECE } from "../../web/src/lib/input-pieces.js";

describe("inputPieces", () => {
  it("keeps ordinary input whole", () => {
    expect(inputPieces("ls -l\r")).toEqual(["ls -l\r"]);
    expect(inputPieces("")).toEqual([""]);
  });

  it("cuts a large paste into pieces that rejoin to it, each fitting one message", () => {
    const text = "\x1b".repeat(MAX_INPUT_PIECE * 2 + 5);
    const pieces = inputPieces(text);
    expect(pieces.length).toBe(3);
    expect(pieces.join("")).toBe(text);
    for (const piece of pieces)
      expect(JSON.stringify({ type: "input", session: "s", data: piece }).length).toBeLessThan(
        MAX_CLIENT_MESSAGE_BYTES,
      );
  });

  it("never separates the halves of an emoji", () => {
    const pieces = inputPieces("ab🙂cd", 3);
    expect(pieces).toEqual(["ab", "🙂c", "d"]);
  });
});
