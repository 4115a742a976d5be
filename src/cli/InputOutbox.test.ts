import { describe, expect, it } from "vitest";
import { inputHoldMs } from "./InputOutbox.js";

describe("DISPATCH_INPUT_HOLD_MS", () => {
  it("defaults to a minute, takes milliseconds, and says what to give when it is not a number", () => {
    expect(inputHoldMs({})).toBe(60_000);
    expect(inputHoldMs({ DISPATCH_INPUT_HOLD_MS: " 2000 " })).toBe(2000);
    expect(() => inputHoldMs({ DISPATCH_INPUT_HOLD_MS: "2s" })).toThrow(
      "invalid DISPATCH_INPUT_HOLD_MS '2s': use milliseconds (0 or more)",
    );
  });
});
