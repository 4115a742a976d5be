import { describe, expect, it } from "vitest";
import { findCycles } from "./dependencies.js";

describe("findCycles", () => {
  it("finds none in a chain", () => {
    expect(
      findCycles([
        { name: "a", after: [] },
        { name: "b", after: ["a"] },
        { name: "c", after: ["b", "a"] },
      ]).size,
    ).toBe(0);
  });

  it("names every member of a cycle and leaves the rest alone", () => {
    const cycles = findCycles([
      { name: "db", after: [] },
      { name: "a", after: ["b", "db"] },
      { name: "b", after: ["c"] },
      { name: "c", after: ["a"] },
      { name: "web", after: ["a"] },
    ]);
    expect([...cycles.keys()].sort()).toEqual(["a", "b", "c"]);
    expect(cycles.get("a")).toBe("a → b → c → a");
  });
});
