import { describe, expect, it } from "vitest";
import { OutputBudget, outputOf, render } from "./outputs.js";
import { newHeader } from "./wire.js";

const message = (msgType: string, content: Record<string, unknown>) => ({
  header: newHeader(msgType, "s"),
  parent: {},
  metadata: {},
  content,
  buffers: [],
});

describe("kernel outputs", () => {
  it("keeps known MIME types and marks HTML untrusted", () => {
    const output = outputOf(
      message("display_data", {
        data: { "text/plain": "x", "text/html": ["<b>", "x</b>"], "application/x-widget": "{}" },
      }),
    );
    expect(output).toEqual({
      type: "display",
      data: { "text/plain": "x", "text/html": "<b>x</b>" },
      untrusted: true,
    });
    expect(outputOf(message("status", { execution_state: "idle" }))).toBeUndefined();
  });

  it("names an error's exception bare, as xeus-python's class repr or ipykernel's name", () => {
    const content = { evalue: "x", traceback: [] };
    for (const ename of ["<class 'RuntimeError'>", "RuntimeError"])
      expect(outputOf(message("error", { ...content, ename }))).toMatchObject({ ename: "RuntimeError" });
    expect(outputOf(message("error", content))).toMatchObject({ ename: "Error" });
  });

  it("cuts a flood at the bound and counts what it dropped", () => {
    const budget = new OutputBudget(10, 0);
    expect(budget.take({ type: "stream", name: "stdout", text: "12345" })).toMatchObject({ text: "12345" });
    expect(budget.take({ type: "stream", name: "stdout", text: "abcdefgh" })).toMatchObject({
      text: "abcde",
    });
    expect(budget.take({ type: "result", data: { "text/plain": "42" } })).toBeUndefined();
    expect(budget.dropped).toBe(5);
  });

  it("keeps the result and the error a flood of prints ends with, from the reserve", () => {
    const budget = new OutputBudget(10, 4);
    expect(budget.take({ type: "stream", name: "stdout", text: "abcdefgh" })).toMatchObject({
      text: "abcdef",
    });
    expect(budget.take({ type: "display", data: { "text/plain": "d" } })).toBeUndefined();
    expect(budget.take({ type: "result", data: { "text/plain": "42" } })).toEqual({
      type: "result",
      data: { "text/plain": "42" },
    });
    expect(budget.take({ type: "error", ename: "E", evalue: "xy", traceback: [] })).toMatchObject({
      evalue: "xy",
    });
    expect(budget.take({ type: "result", data: { "text/plain": "1" } })).toBeUndefined();
    expect(budget.dropped).toBe(2 + 1 + 1);
  });

  it("shows a piped cell's code without the blank line its final newline made", () => {
    expect(render.input('print("a")\nprint("b")\n', "client")).toBe(
      '\x1b[32mIn:\x1b[0m print("a")\r\n    print("b")\r\n',
    );
  });
});
