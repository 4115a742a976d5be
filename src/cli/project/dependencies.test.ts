import { describe, expect, it } from "vitest";
import { findCycles, withDependencies } from "./dependencies.js";

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

describe("withDependencies", () => {
  const project = [
    { name: "db", after: [] },
    { name: "cache", after: [] },
    { name: "api", after: ["db"] },
    { name: "web", after: ["api", "cache"] },
    { name: "shell", after: [] },
  ];

  it("adds what the named sessions wait for, transitively, in the file's order", () => {
    const { selected, unknown } = withDependencies(project, ["web"]);
    expect(selected.map((s) => s.name)).toEqual(["db", "cache", "api", "web"]);
    expect(unknown).toEqual([]);
  });

  it("says which names the file does not declare, and survives a cycle", () => {
    const cyclic = [
      { name: "a", after: ["b"] },
      { name: "b", after: ["a"] },
    ];
    expect(withDependencies(cyclic, ["a"]).selected.map((s) => s.name)).toEqual(["a", "b"]);
    expect(withDependencies(project, ["shell", "wbe"])).toEqual({ selected: [project[4]], unknown: ["wbe"] });
  });
});
