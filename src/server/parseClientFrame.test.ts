/** A client's frames as the hub reads them: keys typed without the schema's parse, the rest with it. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ClientMessage } from "../protocol/client.js";
import { parseClientFrame } from "./parseClientFrame.js";

const frame = (message: unknown) => Buffer.from(JSON.stringify(message));

afterEach(() => {
  vi.restoreAllMocks();
});

describe("parseClientFrame", () => {
  it("reads a key typed without zod's parse (its garbage was a tenth of the hub's per key)", () => {
    const schema = vi.spyOn(ClientMessage, "safeParse");
    const input = {
      type: "input",
      ref: 9,
      session: "echo",
      data: "a",
      id: { stream: "stream-0001", seq: 2 },
    };
    expect(parseClientFrame(frame(input), false)).toEqual({ ok: true, message: input, ref: 9 });
    expect(schema).not.toHaveBeenCalled();
  });

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
