import { describe, expect, it } from "vitest";
import { didYouMean, freeName, isValidName, unknownNameMessage } from "./names.js";

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

describe("didYouMean", () => {
  it("guesses the session a name begins, however short, before any typo's guess", () => {
    // By edit distance alone `c` is nearer `db` (2 edits) than `compile` (6).
    expect(unknownNameMessage("session", "c", ["db", "compile"])).toBe(
      "no session 'c' — did you mean 'compile'?",
    );
    expect(didYouMean("com", ["cam", "compile"])).toBe("compile");
  });

  it("of several names the input begins, guesses the shortest", () => {
    expect(didYouMean("c", ["compile", "db", "check"])).toBe("check");
    expect(didYouMean("alpha", ["alpha-10", "alpha-2"])).toBe("alpha-2");
  });

  it("else guesses a plausible typo by edit distance, and nothing for a name far from all", () => {
    expect(didYouMean("bulid", ["test", "build"])).toBe("build");
    expect(didYouMean("x", ["compile", "deploy"])).toBeUndefined();
    expect(didYouMean("", ["compile"])).toBeUndefined();
  });
});
