/** A client's frames as the hub reads them: through the schema, which says what is wrong. */
import { describe, expect, it } from "vitest";
import { parseClientFrame } from "./parseClientFrame.js";

const frame = (message: unknown) => Buffer.from(JSON.stringify(message));

describe("parseClientFrame", () => {
  it("refuses a malformed input with the schema's reason and its ref", () => {
    const result = parseClientFrame(frame({ type: "input", ref: 4, session: "echo", data: 5 }), false);
    expect(result).toMatchObject({ ok: false, ref: 4, code: "bad_request" });
    expect(result.ok ? "" : result.message).toMatch(/^invalid message: .*data/);
  });

  it("drops what the schema drops from an input with a field more", () => {
    const result = parseClientFrame(
      frame({ type: "input", session: "echo", data: "a", colour: "red" }),
      false,
    );
    expect(result).toEqual({
      ok: true,
      message: { type: "input", session: "echo", data: "a" },
      ref: undefined,
    });
  });
});
