/**
 * An idle host of terminals holds only what terminals need: the other kinds' runtimes (their
 * code, their schemas, their libraries) are imported with their kind's first session
 * (docs/BENCHMARKS.md, "Memory: idle hub and host"), and then work as before.
 */
import { describe, expect, it } from "vitest";
import { runtimeFor, runtimeKinds } from "./registry.js";

describe("the host's runtimes", () => {
  it("loads chat's and agent's runtimes with their first session, and keeps them", async () => {
    expect(runtimeKinds()).toEqual(expect.arrayContaining(["terminal", "agent", "chat"]));
    expect(runtimeFor("terminal")).toBeTypeOf("function");
    for (const kind of ["chat", "agent"]) {
      const first = runtimeFor(kind);
      expect(first, `${kind} is not loaded before its first session`).toBeInstanceOf(Promise);
      const factory = await first;
      expect(factory).toBeTypeOf("function");
      expect(runtimeFor(kind)).toBe(factory);
    }
  });
});
