import { afterEach, describe, expect, it, vi } from "vitest";
import { inspectedText, plainOutput, printOutput } from "./workspaceOutput.js";

describe("how a workspace's outputs print as text", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("prints a traceback without its colours, and a display by its plain text or its types", () => {
    const error = { type: "error", ename: "ZeroDivisionError", evalue: "division by zero" } as const;
    expect(plainOutput({ ...error, traceback: ["\x1b[0;31mTraceback\x1b[0m", "ZeroDivisionError"] })).toBe(
      "Traceback\nZeroDivisionError\n",
    );
    expect(plainOutput({ ...error, traceback: [] })).toBe("ZeroDivisionError: division by zero\n");
    expect(plainOutput({ type: "result", data: { "text/plain": "42" } })).toBe("42\n");
    expect(plainOutput({ type: "display", data: { "image/png": "…", "text/html": "<b/>" } })).toBe(
      "[image/png, text/html]\n",
    );
  });

  it("lists an inspected object's children and says how to page to the rest", () => {
    const child = { type: "int", size: null, expandable: false };
    const text = inspectedText({
      path: "data",
      type: "dict",
      repr: "{…}",
      size: 5,
      children: [
        { ...child, name: "'a'", repr: "1", path: "data['a']" },
        { ...child, name: "'b'", type: "list", size: 2, repr: "[1, 2]", path: "data['b']", expandable: true },
      ],
      total: 5,
      offset: 0,
    });
    expect(text).toBe(
      "data: dict (5) = {…}\n  'a': int = 1\n  'b': list (2) = [1, 2]  ▸ data['b']\n  … 3 more (--offset 2)\n",
    );
  });

  it("starts a result on a line of its own after a stream cut mid-line, and hides it in mode do", async () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((text) => {
      printed.push(String(text));
      return true;
    });
    await printOutput({ type: "stream", name: "stdout", text: "progress 50%" }, "print");
    await printOutput({ type: "result", data: { "text/plain": "'done'" } }, "do");
    await printOutput({ type: "result", data: { "text/plain": "'done'" } }, "print");
    await printOutput({ type: "stream", name: "stdout", text: "more\n" }, "print");
    await printOutput({ type: "result", data: { "text/plain": "1" } }, "print");
    expect(printed.join("")).toBe("progress 50%\n'done'\nmore\n1\n");
  });
});
