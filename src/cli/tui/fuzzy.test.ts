import { describe, expect, it } from "vitest";
import { fuzzyFilter, fuzzyScore } from "./fuzzy.js";

describe("fuzzy", () => {
  it("matches characters in order, case-insensitively", () => {
    expect(fuzzyScore("bo", "Brisk-Otter")).toBeDefined();
    expect(fuzzyScore("ob", "brisk-otter")).toBeUndefined();
    expect(fuzzyScore("", "anything")).toBe(0);
  });

  it("ranks word starts and runs first, keeping order among equals", () => {
    const names = ["nobody", "brisk-otter", "beta", "alpha"];
    expect(fuzzyFilter(names, "bo", (n) => n)).toEqual(["brisk-otter", "nobody"]);
    expect(fuzzyFilter(names, "", (n) => n)).toEqual(names);
    expect(fuzzyFilter(names, "zz", (n) => n)).toEqual([]);
  });
});
