/**
 * The screen worker loads xterm's CommonJS packages with `require` (`xterm.ts`): imported as ES
 * modules, Node scans each for its export names first, a quarter of the worker's start-up CPU.
 */
import { describe, expect, it } from "vitest";
import { importGraph } from "../../../test/importGraph.js";

describe("screen worker", () => {
  it("imports neither the emulator nor the serialize addon as an ES module", () => {
    const { modules, packages } = importGraph("hub/screen/worker.ts");
    expect(modules).toContain("hub/screen/xterm.ts");
    expect(packages.get("@xterm/headless")).toBeUndefined();
    expect(packages.get("@xterm/addon-serialize")).toBeUndefined();
  });
});
