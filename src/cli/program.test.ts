import { describe, expect, it } from "vitest";
import { buildProgram, CORE_COMMAND_NAMES, programFor } from "./program.js";

const topLevel = (program: { commands: readonly { name(): string }[] }): string[] =>
  program.commands.map((command) => command.name());

describe("a command loads only its own module", () => {
  it("registers each core command alone, under the names its table entry says", async () => {
    const whole = topLevel(await buildProgram());
    for (const name of CORE_COMMAND_NAMES) {
      const alone = topLevel(await programFor(["node", "dispatch", name]));
      expect(alone).toContain(name);
      // A module that registers more names (backup and restore) lists them all.
      for (const other of alone) expect(CORE_COMMAND_NAMES).toContain(other);
      expect(whole).toContain(name);
    }
  });

  it("builds the whole program for what only it answers", async () => {
    const whole = topLevel(await buildProgram());
    for (const first of ["--help", "help", "eval", "nwe"]) {
      expect(topLevel(await programFor(["node", "dispatch", first]))).toEqual(whole);
    }
    expect(topLevel(await programFor(["node", "dispatch", "--version"]))).toEqual([]);
  });
});
