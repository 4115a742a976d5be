import { describe, expect, it } from "vitest";
import { MAX_DURATION_MS, parseDuration } from "./duration.js";
import { DispatchError } from "./errors.js";

describe("parseDuration", () => {
  it("reads a number and a unit", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("36500d")).toBe(MAX_DURATION_MS);
  });

  it("refuses malformed and out-of-range durations as bad requests", () => {
    for (const text of ["1e400ms", "soon", "-5m", "36501d", `${"9".repeat(400)}ms`]) {
      let error: unknown;
      try {
        parseDuration(text);
      } catch (err) {
        error = err;
      }
      expect(error, text).toBeInstanceOf(DispatchError);
      expect((error as DispatchError).code).toBe("bad_request");
    }
  });
});
