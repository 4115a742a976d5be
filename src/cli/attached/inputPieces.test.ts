import { describe, expect, it } from "vitest";
import { MAX_CLIENT_MESSAGE_BYTES } from "../../protocol/client.js";
import { inputPieces } from "./inputPieces.js";

describe("inputPieces", () => {
  it("cuts a paste over the message limit into pieces that fit, in order", () => {
    const paste = `${'é\x1b"x😀'.repeat(200_000)}end`;
    const pieces = inputPieces(paste);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(paste);
    for (const piece of pieces) {
      const message = JSON.stringify({ type: "input", session: "s-123", data: piece });
      expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_CLIENT_MESSAGE_BYTES);
      // No piece starts or ends inside a surrogate pair.
      expect(Buffer.from(piece, "utf8").toString("utf8")).toBe(piece);
    }
  });

  it("leaves keys that fit as one input", () => {
    expect(inputPieces("ls\r")).toEqual(["ls\r"]);
    expect(inputPieces("")).toEqual([]);
  });
});
