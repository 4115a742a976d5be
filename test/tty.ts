/**
 * The terminal client as a person runs it: `dispatch ARGS` in a real PTY, everything it prints
 * mirrored on a headless terminal, so a test checks the screen the person would see. Shared by
 * the picker, attach and TUI tests.
 */
import headless from "@xterm/headless";
import { type IPty, spawn } from "node-pty";
import { BIN, REPO_ROOT, waitFor } from "./harness.js";

export interface Tty {
  pty: IPty;
  terminal: headless.Terminal;
  rowCount: number;
  /** Everything printed, raw. */
  output(): string;
  /** The visible screen, row by row, once everything printed so far is applied. */
  screen(): Promise<string[]>;
  /** The command's exit code, printed by the wrapping shell. */
  rc: Promise<number>;
  /** The command and whatever ran after it have finished, and all they printed arrived. */
  finished: Promise<void>;
}

export interface TtyOptions {
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
  /** Shell text run after the command, e.g. `stty -a` to check the terminal was restored. */
  after?: string;
}

const open = new Set<Tty>();

/**
 * Runs `dispatch ARGS` in a fresh PTY (then `options.after`), mirrored on a headless terminal.
 * With `after`, the shell prints `tty-end` last and stays open: read at the process's exit, the
 * last output can still be on the way (node-pty may report the exit first), so `finished` waits
 * for the marker.
 */
export function dispatchInPty(args: string[], options: TtyOptions): Tty {
  const after = options.after ? `; ${options.after}; echo tty-end; exec sleep 120` : "";
  const script = `"${process.execPath}" "${BIN}" ${args.join(" ")}; echo "dispatch-rc=$?"${after}`;
  const pty = spawn("/bin/sh", ["-c", script], {
    name: "xterm-256color",
    cols: options.cols,
    rows: options.rows,
    cwd: REPO_ROOT,
    env: options.env,
  });
  const terminal = new headless.Terminal({
    cols: options.cols,
    rows: options.rows,
    scrollback: 1000,
    allowProposedApi: true,
  });
  let text = "";
  let written = Promise.resolve();
  pty.onData((data) => {
    text += data;
    written = written.then(() => new Promise<void>((resolve) => terminal.write(data, resolve)));
  });
  const finished = options.after
    ? waitFor(() => text.includes("tty-end"), {
        timeoutMs: 300_000,
        message: `dispatch ${args.join(" ")} and what runs after it to finish`,
      }).then(() => undefined)
    : new Promise<void>((resolve) => pty.onExit(() => resolve()));
  finished.catch(() => undefined);
  const rc = waitFor(() => /dispatch-rc=(\d+)/.exec(text)?.[1], {
    // Counted from the spawn, not from when a test asks: a test of many steps on a loaded
    // machine may take minutes before it ends the command. Its own timeout bounds it first.
    timeoutMs: 300_000,
    message: `dispatch ${args.join(" ")} to exit`,
  }).then(Number);
  // Not every test waits for the exit; an unobserved rejection must not fail the run.
  rc.catch(() => undefined);
  const screen = async () => {
    await written;
    const buffer = terminal.buffer.active;
    return Array.from(
      { length: options.rows },
      (_, y) => buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? "",
    );
  };
  const tty: Tty = { pty, terminal, rowCount: options.rows, output: () => text, screen, rc, finished };
  open.add(tty);
  return tty;
}

/**
 * Waits until the screen passes `check` (calling `poke` before each look, e.g. to press a key
 * again); on timeout the error shows the last screen.
 */
export async function screenShows(
  tty: Tty,
  check: (rows: string[]) => boolean,
  message: string,
  options: { timeoutMs?: number; poke?: () => void } = {},
): Promise<string[]> {
  let last: string[] = [];
  try {
    return await waitFor(
      async () => {
        options.poke?.();
        last = await tty.screen();
        return check(last) ? last : undefined;
      },
      // Pressing a key again too often would run ahead of what the screen shows.
      { timeoutMs: options.timeoutMs ?? 30_000, ...(options.poke ? { intervalMs: 200 } : {}), message },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nscreen:\n${last.join("\n")}`);
  }
}

/** Kills every PTY this file opened and frees its terminal (afterEach/afterAll). */
export function closeTtys(): void {
  for (const tty of open) {
    try {
      tty.pty.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    tty.terminal.dispose();
  }
  open.clear();
}
