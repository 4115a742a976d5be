import { describe, expect, it } from "vitest";
import { freeName, isValidName } from "./names.js";

describe("freeName", () => {
  it("keeps a free name, else numbers it from 2 past the ones taken", () => {
    const taken = new Set(["build", "build-2"]);
    expect(freeName("tests", (n) => taken.has(n))).toBe("tests");
    expect(freeName("build", (n) => taken.has(n))).toBe("build-3");
  });

  it("cuts a long name so the numbered one is still a valid name", () => {
    const long = "a".repeat(32);
    const name = freeName(long, (n) => n === long);
    expect(name).toBe(`${"a".repeat(30)}-2`);
    expect(isValidName(name)).toBe(true);
  });
});
