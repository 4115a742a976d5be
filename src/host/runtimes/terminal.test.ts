/**
 * The terminal runtime on a real PTY: output written just before the process exits is read and
 * recorded before the exit, also while the PTY is paused by flow control (a slow hub); and the
 * foreground of a session whose own command runs a loop is that command, not an idle shell.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RuntimeContext } from "./runtime.js";
import { TerminalRuntime } from "./terminal.js";

interface Recorded {
  output: Buffer[];
  events: { type: string; data: Record<string, unknown> }[];
  exited: boolean;
}

const runtimes = new Set<TerminalRuntime>();
const dirs = new Set<string>();

afterEach(() => {
  for (const runtime of runtimes) runtime.dispose();
  runtimes.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
});

function start(command: string[], cwd: string): { runtime: TerminalRuntime; recorded: Recorded } {
  const recorded: Recorded = { output: [], events: [], exited: false };
  let seq = 0;
  const context: RuntimeContext = {
    spec: { id: "s1", kind: "terminal", command, cwd, env: {}, cols: 80, rows: 24, afterSeq: 0 },
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd },
    events: {
      output: (data) => {
        recorded.output.push(Buffer.from(data));
      },
      emit: (type, data) => {
        recorded.events.push({ type, data });
        return ++seq;
      },
    },
    exited: () => {
      recorded.exited = true;
    },
  };
  const runtime = new TerminalRuntime(context);
  runtimes.add(runtime);
  return { runtime, recorded };
}

/** Polls `check` until it gives a value; fails after `timeoutMs` with `message`. */
async function waitFor<T>(
  check: () => T | undefined | null | false,
  options: { timeoutMs?: number; message: string },
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: ${options.message}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-terminal-"));
  dirs.add(dir);
  return dir;
}

describe("terminal runtime", () => {
  it("keeps the last lines of a process that exits while its PTY is paused", async () => {
    const dir = tempDir();
    // Waits for a file, then prints a few kilobytes (they fit in the PTY's buffer) and exits.
    const script = "until [ -e go ]; do sleep 0.02; done; seq 1 500; echo LAST-LINE";
    const { runtime, recorded } = start(["sh", "-c", script], dir);
    runtime.setPaused(true);
    writeFileSync(join(dir, "go"), "");
    await waitFor(() => recorded.exited, { timeoutMs: 10_000, message: "the exit to be recorded" });
    const text = Buffer.concat(recorded.output).toString("utf8");
    expect(text).toContain("\r\n500\r\n");
    expect(text.trimEnd().endsWith("LAST-LINE")).toBe(true);
    expect(recorded.events.at(-1)).toMatchObject({ type: "exit", data: { code: 0 } });
  });

  it("reports a loop run by the session's own command as that command, not idle", async () => {
    const dir = tempDir();
    const { runtime, recorded } = start(["sh", "-c", "while true; do echo tick; sleep 0.2; done"], dir);
    const status = await waitFor(() => recorded.events.find((e) => e.type === "status"), {
      message: "a status event",
    });
    expect(status.data.foreground).toBe("sh -c while true; do echo tick; sleep 0.2; done");
    expect(runtime.foreground()).toBe("sh -c while true; do echo tick; sleep 0.2; done");
  });

  it("reports a program that is not a shell as at work, also one a shell exec'ed for its last command", async () => {
    const dir = tempDir();
    const { runtime } = start(["sleep", "30"], dir);
    await waitFor(() => runtime.foreground() === "sleep 30", { message: "sleep as the foreground" });
    const { runtime: last } = start(["bash", "-c", "echo first; sleep 31"], dir);
    await waitFor(() => last.foreground() === "sleep 31", { message: "the exec'ed sleep as the foreground" });
  });

  it("reports an interactive shell waiting at its prompt as idle, and its command while one runs", async () => {
    const dir = tempDir();
    const { runtime, recorded } = start(["bash", "--norc", "--noprofile", "-i"], dir);
    await waitFor(() => Buffer.concat(recorded.output).includes("bash-"), { message: "the prompt" });
    runtime.input("sleep 30\r");
    await waitFor(() => runtime.foreground() === "sleep 30", { message: "sleep in the foreground" });
    runtime.input("\x03");
    await waitFor(() => recorded.events.filter((e) => e.type === "status").at(-1)?.data.foreground === null, {
      message: "idle again",
    });
  });
});
