/**
 * Displays a cell updates and clears, on real kernels (Debian's ipykernel and xeus-python)
 * through a real hub and host: `update_display_data` replaces the display of its id instead of
 * adding one, `clear_output(wait=True)` replaces what the cell showed with its next output (a
 * progress line), as Jupyter shows them. `dispatch eval` from a pipe prints the cell's answer,
 * which is what the cell shows at its end; the events say the update and the clear, for viewers.
 * A background thread's output goes to the cell that started it, even what it prints while the
 * runtime's own hidden request (the variables query after each cell) is the kernel's.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

let hub: HubHandle;

interface Event {
  type: string;
  data: {
    id?: string | null;
    variables?: { name: string }[];
    clear?: boolean;
    output?: { type: string; displayId?: string; update?: boolean; text?: string };
  };
}

async function events(name: string): Promise<Event[]> {
  const response = await hub.api(`/api/sessions/${name}/events?after=0&limit=5000`);
  return ((await response.json()) as { events: Event[] }).events;
}

const KERNELS = ["python3", "xpython"];

/** `dispatch eval NAME` with the cell's lines on a pipe: what it printed, once it succeeded. */
async function evalPiped(name: string, lines: string[]): Promise<string> {
  const run = await hub.cli(["eval", name], { input: lines.join("\n") });
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

beforeAll(async () => {
  hub = await startHub();
  for (const kernel of KERNELS) {
    const created = await hub.cli(["new", "--kernel", kernel, "--name", kernel]);
    expect(created.code, created.stderr).toBe(0);
  }
  for (const kernel of KERNELS)
    await waitFor(
      async () => {
        const { session } = (await (await hub.api(`/api/sessions/${kernel}`)).json()) as {
          session: { options: { connection?: string } };
        };
        return session.options.connection === "connected";
      },
      { timeoutMs: 60_000, message: `${kernel} connected` },
    );
});

afterAll(async () => {
  await cleanupAll();
});

describe.each(KERNELS)("%s", (name) => {
  it("an updated display shows its last contents, once", async () => {
    const printed = await evalPiped(name, [
      "from IPython.display import display, update_display",
      'display({"text/plain": "one"}, raw=True, display_id="d1")',
      'update_display({"text/plain": "two"}, raw=True, display_id="d1")',
    ]);
    expect(printed).toBe("two\n");
    const displays = (await events(name)).filter((e) => e.data.output?.displayId === "d1");
    expect(displays.map((e) => e.data.output?.update ?? false)).toEqual([false, true]);
  });

  it("clear_output(wait=True) leaves only the last progress line", async () => {
    const printed = await evalPiped(name, [
      "from IPython.display import clear_output",
      "for i in range(3):",
      "    clear_output(wait=True)",
      '    print(f"progress {i}")',
    ]);
    expect(printed).toBe("progress 2\n");
    const progress = (await events(name)).filter(
      (e) => e.type === "eval-output" && JSON.stringify(e.data.output).includes("progress"),
    );
    expect(progress.map((e) => e.data.clear ?? false)).toEqual([true, true, true]);
  });

  it("a background thread's clear_output after its cell ended clears that cell", async () => {
    // The thread goes on once the test has seen its cell end (a file appears), not at a guess.
    const go = join(mkdtempSync(join(tmpdir(), "dispatch-clear-")), "go");
    await evalPiped(name, [
      "import os, threading, time",
      "from IPython.display import clear_output",
      "def later():",
      `    while not os.path.exists(${JSON.stringify(go)}): time.sleep(0.02)`,
      "    clear_output()",
      '    print("after the clear")',
      "threading.Thread(target=later).start()",
      'print("before the clear")',
    ]);
    const cell = (await events(name)).findLast((e) => e.data.output?.text?.startsWith("before the clear"))
      ?.data.id;
    expect(cell).toBeTruthy();
    writeFileSync(go, "");
    const late = await waitFor(
      async () => {
        const all = await events(name);
        const ended = all.findLastIndex((e) => e.type === "eval-end" && e.data.id === cell);
        const since = all.slice(ended + 1).filter((e) => e.type === "eval-output");
        return since.map((e) => e.data.output?.text ?? "").join("") === "after the clear\n"
          ? since
          : undefined;
      },
      { message: "the thread's output" },
    );
    // On that cell, cleared, as Jupyter shows it. The line may come in two outputs: xeus-python
    // publishes print's text and its newline apart, merged only when read in one turn.
    const [clear, ...after] = late.map((e) => [e.data.id, e.data.clear ?? false]);
    expect(clear).toEqual([cell, true]);
    expect(after.length).toBeGreaterThan(0);
    for (const output of after) expect(output).toEqual([cell, false]);
  });

  it("a background thread's lines printed during the variables query stay with its cell", async () => {
    // The variables query after the cell reprs `gate`, which lets the thread print and waits
    // for it: so its lines come while that hidden request is the kernel's, every run. Its last
    // line waits for the test to have seen the query's answer (a file appears).
    const go = join(mkdtempSync(join(tmpdir(), "dispatch-thread-")), "go");
    await evalPiped(name, [
      "import os, sys, threading, time",
      "class Gate:",
      "    def __init__(self):",
      "        self.asked, self.printed = threading.Event(), threading.Event()",
      "    def __repr__(self):",
      "        self.asked.set()",
      "        self.printed.wait(10)",
      '        return "gate"',
      "gate = Gate()",
      "def tick():",
      "    gate.asked.wait(30)",
      "    for i in range(20):",
      '        print(f"tick {i}")',
      "        time.sleep(0.005)",
      "    sys.stdout.flush()",
      "    gate.printed.set()",
      `    while not os.path.exists(${JSON.stringify(go)}): time.sleep(0.02)`,
      '    print("tick end")',
      "threading.Thread(target=tick).start()",
      'print("ticking")',
    ]);
    const cell = (await events(name)).findLast((e) => e.data.output?.text?.startsWith("ticking"))?.data.id;
    expect(cell).toBeTruthy();
    await waitFor(
      async () => (await events(name)).some((e) => e.data.variables?.some((v) => v.name === "gate")),
      { message: "the variables query's answer" },
    );
    writeFileSync(go, "");
    const outputs = await waitFor(
      async () => {
        const all = (await events(name)).filter((e) => e.type === "eval-output");
        return all.some((e) => e.data.output?.text?.includes("tick end")) ? all : undefined;
      },
      { message: "the thread's last line" },
    );
    const printed = outputs
      .filter((e) => e.data.id === cell)
      .map((e) => e.data.output?.text ?? "")
      .join("");
    expect(printed.split("\n").filter((line) => line.startsWith("tick "))).toEqual([
      ...Array.from({ length: 20 }, (_, i) => `tick ${i}`),
      "tick end",
    ]);
  });
});
