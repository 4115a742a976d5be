/**
 * A cell's `input()` through a real hub and host, on Debian's ipykernel: the prompt is an event
 * every client sees (and the record's `options.input`), any writer answers it, a viewer cannot,
 * an interrupt or a restart cancels it and a late answer is refused with why. At a terminal `dispatch eval`
 * reads the prompt from the person (a password unseen); from a pipe it says how to answer, and
 * `dispatch input` answers from another shell. Typed into `dispatch attach`, lines are edited as
 * at a REPL, a block runs once the kernel says it is complete, and a line answers `input()`;
 * Tab completes from the kernel (or says it is busy), Up brings back cells run here and by other
 * clients, a line wider than the terminal is edited in place, a paste of several lines is one
 * cell, and a client wider than another sees the line at the narrower's width. xeus-python's
 * prompt, whose Ctrl-C is refused, is asked again at an attach and at `eval`. One kernel of each
 * for the file.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, runningCli, startHub, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows, type Tty } from "./tty.js";

let hub: HubHandle;
const children = new Set<ChildProcess>();

interface Event {
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

async function events(): Promise<Event[]> {
  const response = await hub.api("/api/sessions/py/events?after=0&limit=5000");
  return ((await response.json()) as { events: Event[] }).events;
}

async function pendingInput(): Promise<{ id: string; prompt: string; password: boolean } | null> {
  const response = await hub.api("/api/sessions/py");
  const { session } = (await response.json()) as { session: { options: { input?: never } } };
  return session.options.input ?? null;
}

/**
 * Waits for the prompt `prompt` to be pending; its id. A failure says what the session showed
 * last (once, in a loaded full run, a prompt never came and every later cell waited behind it):
 * its kernel's state, what the host's queue holds, and its last events but output.
 */
async function prompted(prompt: string): Promise<string> {
  const pending = await waitFor(
    async () => {
      const input = await pendingInput();
      return input?.prompt === prompt ? input : undefined;
    },
    { timeoutMs: 30_000, message: `the prompt '${prompt}' is pending` },
  ).catch(async (err: Error) => {
    throw new Error(`${err.message}\n${await lastSeen()}`);
  });
  return pending.id;
}

/** What the session `py` shows now, for a failure's message. */
async function lastSeen(): Promise<string> {
  const seen = await options().catch((err: Error) => err.message);
  const stats = await command("stats", {})
    .then((response) => response.text())
    .catch((err: Error) => err.message);
  const last = (await events().catch(() => []))
    .filter((e) => e.type !== "output")
    .slice(-15)
    .map((e) => `${e.seq} ${e.type} ${JSON.stringify(e.data).slice(0, 200)}`);
  return `options: ${JSON.stringify(seen)}\nstats: ${stats}\nlast events:\n${last.join("\n")}`;
}

async function options(): Promise<{ connection?: string; execution?: string }> {
  const response = await hub.api("/api/sessions/py");
  return ((await response.json()) as { session: { options: { connection?: string; execution?: string } } })
    .session.options;
}

async function refusal(response: Response): Promise<string> {
  return ((await response.json()) as { error: { message: string } }).error.message;
}

function command(name: string, args: unknown, token = hub.key): Promise<Response> {
  return fetch(`${hub.url}/api/sessions/py/commands/${name}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(args),
  });
}

interface EvalAnswer {
  result: { status: string; outputs: { type: string; text?: string; ename?: string }[] };
}

beforeAll(async () => {
  hub = await startHub();
  // The xeus-python workspace of the last tests starts meanwhile (through the API: creating is
  // not under test there), so its kernel's start is not waited out on its own.
  const [created, xpy] = await Promise.all([
    hub.cli(["new", "--kernel", "python3", "--name", "py"]),
    hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ name: "xpy", kind: "workspace", options: { kernel: "xpython" } }),
    }),
  ]);
  expect(created.code, created.stderr).toBe(0);
  expect(xpy.status, await xpy.clone().text()).toBe(201);
  await waitFor(
    async () => {
      const response = await hub.api("/api/sessions/py");
      const { session } = (await response.json()) as { session: { options: { connection?: string } } };
      return session.options.connection === "connected";
    },
    { timeoutMs: 30_000, message: "the kernel connected" },
  );
});

afterEach(async () => {
  for (const child of children) child.kill("SIGKILL");
  closeTtys();
  // No cell is left waiting for a line: the next test's cell would queue behind it.
  const left = await pendingInput();
  if (left) await command("input", { id: left.id, value: "" });
  // Nor a cell still running (its prompt never came): interrupted, so that one failure does not
  // become every later test's.
  if ((await options()).execution === "busy" && !left) {
    await command("interrupt", {});
    await waitFor(async () => (await options()).execution !== "busy", {
      timeoutMs: 30_000,
      message: "the kernel idle after an interrupt",
    });
  }
});

afterAll(async () => {
  await cleanupAll();
});

describe("a cell's input() prompt", { timeout: 90_000 }, () => {
  it("is pending for every client until a writer answers it; a viewer cannot", async () => {
    const evaluation = command("eval", { code: 'name = input("name? ")\nprint("hello", name)' });
    const id = await prompted("name? ");
    const request = (await events()).find((e) => e.type === "input-request");
    expect(request?.data).toMatchObject({ id, prompt: "name? ", password: false });

    const added = await hub.api("/api/users", {
      method: "POST",
      body: JSON.stringify({ name: "watcher", role: "viewer" }),
    });
    const { token } = (await added.json()) as { token: string };
    const refused = await command("input", { id, value: "intruder" }, token);
    expect(refused.status).toBe(403);
    expect(await refusal(refused)).toMatch(/viewer/);

    const wrong = await command("input", { id: "not-a-prompt", value: "x" });
    expect(wrong.status).toBe(409);
    expect(await refusal(wrong)).toMatch(/no longer pending/);

    const answered = await hub.cli(["input", "py", "Ada"]);
    expect(answered.code, answered.stderr).toBe(0);
    const { result } = (await (await evaluation).json()) as EvalAnswer;
    expect(result.status).toBe("ok");
    expect(result.outputs.map((o) => o.text ?? "").join("")).toBe("hello Ada\n");
    expect((await events()).find((e) => e.type === "input-end")?.data).toMatchObject({
      id,
      status: "answered",
      value: "Ada",
    });
    expect(await pendingInput()).toBeNull();
    const none = await hub.cli(["input", "py", "late"]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/no cell in 'py' is waiting for input/);
  });

  it("is cancelled by an interrupt, and an answer after that is refused with why", async () => {
    const evaluation = command("eval", { code: 'input("wait? ")' });
    const id = await prompted("wait? ");
    expect((await command("interrupt", {})).status).toBe(200);
    const { result } = (await (await evaluation).json()) as EvalAnswer;
    expect(result.status).toBe("error");
    expect(result.outputs.some((o) => o.ename === "KeyboardInterrupt")).toBe(true);
    const end = (await events()).find((e) => e.type === "input-end" && e.data.id === id);
    expect(end?.data.status).toBe("cancelled");
    expect(await pendingInput()).toBeNull();
    const late = await command("input", { id, value: "too late" });
    expect(late.status).toBe(409);
    expect(await refusal(late)).toMatch(/no longer pending/);
  });

  it("is cancelled by a restart", async () => {
    const evaluation = command("eval", { code: 'input("again? ")' });
    const id = await prompted("again? ");
    expect((await command("restart", {})).status).toBe(200);
    const { result } = (await (await evaluation).json()) as EvalAnswer;
    expect(result.status).toBe("aborted");
    const end = (await events()).find((e) => e.type === "input-end" && e.data.id === id);
    expect(end?.data).toMatchObject({ status: "cancelled", reason: "the kernel was restarted" });
    expect(await pendingInput()).toBeNull();
  });

  it("is read from the person at `dispatch eval`'s terminal, a password unseen", async () => {
    const code = `'import getpass; a = input("name? "); p = getpass.getpass("secret? "); print("got", a, len(p))'`;
    const tty = dispatchInPty(["eval", "py", code], { env: hub.env, cols: 100, rows: 12 });
    await screenShows(tty, (rows) => rows.some((row) => row.includes("name? ")), "the prompt shows");
    tty.pty.write("Ada\r");
    await screenShows(tty, (rows) => rows.some((row) => row.includes("secret? ")), "the password prompt");
    tty.pty.write("hunter2\r");
    expect(await tty.rc, tty.output()).toBe(0);
    expect(tty.output()).toContain("got Ada 7");
    expect(tty.output()).not.toContain("hunter2");
    // Only a line's text is stored, never a password.
    const ends = (await events()).filter((e) => e.type === "input-end").slice(-2);
    expect(ends.map((e) => e.data.value)).toEqual(["Ada", undefined]);
  });

  it("with stdin /dev/null says how to answer, and `dispatch input` from another shell does", async () => {
    const running = runningCli(hub, ["eval", "py", 'print("hi", input("who? "))'], children);
    await waitFor(() => running.err().includes("dispatch input py TEXT"), {
      timeoutMs: 30_000,
      message: "eval says how to answer",
    });
    expect(running.err()).toContain('"who? "');
    const answered = await hub.cli(["input", "py", "Bob"]);
    expect(answered.code, answered.stderr).toBe(0);
    expect(await running.exit).toBe(0);
    expect(running.out()).toBe("hi Bob\n");
  });

  it("takes the answers from lines piped in, and interrupts the cell once they run out", async () => {
    const code = 'a = input("who? "); b = input("and? "); print("hello", a, b)';
    const both = await hub.cli(["eval", "py", code], { input: "Ada\nLovelace\n" });
    expect(both.code, both.stderr).toBe(0);
    expect(both.stdout).toBe("hello Ada Lovelace\n");

    // As `input()` fails at the end of a pipe: the script is not left hanging at the prompt.
    const short = await hub.cli(["eval", "py", code], { input: "Ada\n" });
    expect(short.code).toBe(130);
    expect(short.stderr).toContain(`stdin ended before the cell's prompt ("and? ") was answered`);
    expect(short.stdout + short.stderr).toContain("KeyboardInterrupt");
    const after = await hub.cli(["eval", "py", "print(a)"]);
    expect(after.stdout, after.stderr).toBe("Ada\n");
  });
});

describe("typing into `dispatch attach` of a workspace", { timeout: 120_000 }, () => {
  it("edits the line, runs a block once it is complete, swallows function keys and answers input()", async () => {
    const tty = dispatchInPty(["attach", "py"], { env: hub.env, cols: 100, rows: 16 });
    await screenShows(tty, (rows) => rows.some((row) => row.includes("[py]")), "attached");
    const shows = (line: string, message: string) =>
      screenShows(tty, (rows) => rows.some((row) => row.trimEnd() === line), message);
    tty.pty.write("total = 10x\x7f");
    await shows("In: total = 10", "the line echoes, a Backspace erasing");
    tty.pty.write("\r");
    tty.pty.write("for i in range(3):\r");
    // The kernel's indent is typed for the block's body.
    await shows("...", "a continuation line");
    tty.pty.write("total += i\r");
    await shows("...     total += i", "the body typed after the kernel's indent");
    // An empty line ends the block; a function key's sequence (F1) is not typed into the code.
    tty.pty.write("\r\x1bOPprint('total', total)\r");
    await shows("total 13", "the block ran once, whole");
    tty.pty.write("who = input('who? ')\r");
    await prompted("who? ");
    tty.pty.write("Ann");
    await shows("who? Ann", "the answer echoes after the prompt");
    tty.pty.write("\rprint('hello', who)\r");
    await shows("hello Ann", "the line answered input()");
    expect(await pendingInput()).toBeNull();
    // The transcript from the kernel's start on (the attach's replay) has no debugger warning.
    expect(tty.output()).toContain("[kernel python3 ready");
    expect(tty.output()).not.toContain("frozen modules");
  });
});

describe("xeus-python's input()", { timeout: 90_000 }, () => {
  it("prompts through the same events and takes a writer's answer", async () => {
    // Made in beforeAll.
    const running = runningCli(hub, ["eval", "xpy", 'print("hi", input("who? "))'], children);
    await waitFor(() => running.err().includes("dispatch input xpy TEXT"), {
      timeoutMs: 60_000,
      message: "xpython's cell asks for input",
    }).catch(async (err: Error) => {
      const response = await hub.api("/api/sessions/xpy/events?after=0&limit=5000");
      const all = ((await response.json()) as { events: Event[] }).events;
      throw new Error(
        `${err.message}\nstderr: ${running.err()}\nevents: ${JSON.stringify(all.filter((e) => e.type !== "output"))}`,
      );
    });
    const answered = await hub.cli(["input", "xpy", "Zed"]);
    expect(answered.code, answered.stderr).toBe(0);
    expect(await running.exit).toBe(0);
    expect(running.out()).toBe("hi Zed\n");
  });

  it("shows the prompt again at an attach after Ctrl-C there is refused, and the line still answers it", async () => {
    const tty = dispatchInPty(["attach", "xpy"], { env: hub.env, cols: 100, rows: 16 });
    await shows(tty, (rows) => rows.some((row) => row.includes("[xpy]")), "attached");
    tty.pty.write("who = input('who? ')\r");
    // xeus-python would end on SIGINT: the interrupt is refused, and the cell waits in input() still.
    await ctrlCRefusedAtPrompt(tty, "xeus-python kernels cannot be interrupted");
    tty.pty.write("Zed\r");
    tty.pty.write("print('hello', who)\r");
    await shows(tty, (rows) => rows.includes("hello Zed"), "the line answered input()");
  });

  it("asks again at `dispatch eval`'s terminal after Ctrl-C there could not interrupt the cell", async () => {
    const tty = dispatchInPty(["eval", "xpy", `'print("hi", input("who? "))'`], {
      env: hub.env,
      cols: 100,
      rows: 16,
    });
    await ctrlCRefusedAtPrompt(tty, "could not interrupt the cell");
    tty.pty.write("Zed\r");
    expect(await tty.rc, tty.output()).toBe(0);
    expect(tty.output()).toContain("hi Zed");
  });
});

/**
 * At the prompt `who? `, Ctrl-C is refused (`refusal` shows) and the prompt is on the line
 * typed on again, below the refusal.
 */
async function ctrlCRefusedAtPrompt(tty: Tty, refusal: string): Promise<void> {
  await typing(tty, "who?", "the prompt");
  tty.pty.write("\x03");
  await shows(tty, (rows) => rows.some((row) => row.includes(refusal)), "the refusal");
  await typing(tty, "who?", "the prompt asked again below the refusal");
}

/** Waits for the screen (rows without trailing blanks) to pass `check`. */
function shows(tty: Tty, check: (rows: string[]) => boolean, message: string) {
  return screenShows(tty, (rows) => check(rows.map((row) => row.trimEnd())), message);
}

/**
 * Waits for the row the cursor is on to read `line`: the line being typed, told from the same
 * text in the transcript above it.
 */
function typing(tty: Tty, line: string, message: string) {
  return shows(tty, (rows) => rows[tty.terminal.buffer.active.cursorY] === line, message);
}

describe("the workspace console at `dispatch attach`", { timeout: 120_000 }, () => {
  it("completes with Tab, brings back cells with Up, and edits a line wider than the terminal", async () => {
    // The kernel's first completion loads its completer (jedi), seconds on a loaded machine;
    // asked here without a deadline, so the console's Tab is not what waits for it.
    const warm = await command("complete", { code: "import os; os.path.expandu" });
    expect(warm.status).toBe(200);
    const tty = dispatchInPty(["attach", "py"], { env: hub.env, cols: 60, rows: 16 });
    await shows(tty, (rows) => rows.some((row) => row.includes("[py]")), "attached");

    tty.pty.write("import os; print('imported')\r");
    await shows(tty, (rows) => rows.includes("imported"), "the cell ran");
    // Tab asks only an idle kernel (a running cell would hold the answer back).
    await waitFor(async () => (await options()).execution === "idle", { message: "the kernel idle again" });
    tty.pty.write("os.path.expandu\t");
    await typing(tty, "In: os.path.expanduser", "the one match typed");
    tty.pty.write("\x15os.getcw\t");
    await typing(tty, "In: os.getcwd", "the common start of several matches typed");
    const listed = await tty.screen();
    const cursorY = tty.terminal.buffer.active.cursorY;
    expect(listed[cursorY - 1]).toMatch(/^getcwd +getcwdb\s*$/);
    // The half-typed line was taken off before the list, not left above it.
    expect(listed.filter((row) => row.startsWith("In: os.getcw")).length).toBe(1);

    // A cell another client ran comes back with Up, then the one typed here.
    tty.pty.write("\x15");
    const evaluated = await hub.cli(["eval", "py", "z = 41"]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    tty.pty.write("\x1b[A");
    await typing(tty, "In: z = 41", "the other client's cell");
    tty.pty.write("\x1b[A");
    await typing(tty, "In: import os; print('imported')", "the cell typed here");

    // 4 columns of prompt and 64 typed: two rows of 60 columns; a key at the start draws both again.
    const long = `s = '${"a".repeat(58)}'`;
    tty.pty.write(`\x15${long}\x01t`);
    const wrapped = await typing(
      tty,
      `In: ts = '${"a".repeat(50)}`,
      "the long line drawn again from its start",
    );
    const row = tty.terminal.buffer.active.cursorY;
    expect(wrapped[row + 1]?.trimEnd()).toBe("aaaaaaaa'");
    expect(tty.terminal.buffer.active.cursorX).toBe(5);
    // Nothing of the line as it was before is left on the screen.
    expect(wrapped.filter((line) => line.includes("aaaaaaa")).length).toBe(2);

    // Tab while a cell runs says so at once instead of waiting behind it.
    tty.pty.write("\x15import time; time.sleep(60)\r");
    await waitFor(async () => (await options()).execution === "busy", { message: "the cell runs" });
    tty.pty.write("os.pa\t");
    await shows(
      tty,
      (rows) => {
        const y = tty.terminal.buffer.active.cursorY;
        return (
          rows[y] === "In: os.pa" &&
          rows
            .slice(y - 2, y)
            .join("")
            .includes("the kernel is busy running a cell")
        );
      },
      "the busy kernel said above the line, which is kept",
    );
    tty.pty.write("\x03");
    await waitFor(async () => (await options()).execution === "idle", { message: "the cell interrupted" });
  });

  it("takes a paste whole and runs it on Enter; a client wider than another sees the line as drawn", async () => {
    const wide = dispatchInPty(["attach", "py"], { env: hub.env, cols: 100, rows: 16 });
    await shows(wide, (rows) => rows.some((row) => row.includes("[py]")), "attached");
    // The terminal was asked to mark pastes, with the transcript's first lines (the replay).
    await waitFor(() => wide.output().includes("[kernel python3 ready"), {
      message: "the transcript replayed",
    });
    await wide.screen();
    expect(wide.terminal.modes.bracketedPasteMode).toBe(true);

    // A blank line inside the function: typed key by key it would end the block there, and the
    // rows after it fail (what the replay of earlier tests shows fails otherwise).
    const FAILED = /outside function|IndentationError|NameError/;
    wide.pty.write("\x1b[200~def pasted():\r    x = 41\r\r    return x + 1\r\x1b[201~");
    const pasted = await shows(
      wide,
      (rows) =>
        rows[wide.terminal.buffer.active.cursorY] === "...     return x + 1" ||
        rows.some((row) => FAILED.test(row)),
      "the paste on the line",
    );
    const y = wide.terminal.buffer.active.cursorY;
    expect(pasted.filter((row) => FAILED.test(row))).toEqual([]);
    expect(pasted.slice(y - 3, y + 1).map((row) => row.trimEnd())).toEqual([
      "In: def pasted():",
      "...     x = 41",
      "...",
      "...     return x + 1",
    ]);
    wide.pty.write("\rprint('pasted', pasted())\r");
    const ran = await shows(
      wide,
      (rows) => rows.some((row) => row === "pasted 42" || FAILED.test(row)),
      "the pasted cell ran",
    );
    expect(ran.filter((row) => FAILED.test(row))).toEqual([]);

    // A narrower client attaches: the line is drawn at its width, rows broken on both terminals.
    const narrow = dispatchInPty(["attach", "py"], { env: hub.env, cols: 50, rows: 16 });
    // Its attach has been applied (the session is at its width) once the replay comes.
    await waitFor(() => narrow.output().includes("pasted 42"), { message: "the narrow one attached" });
    const long = `s = '${"b".repeat(60)}'`;
    wide.pty.write(`${long}\x01t`);
    // 4 columns of prompt and 67 typed: two rows of 50 columns; a key at the start draws both again.
    const first = `In: ts = '${"b".repeat(40)}`;
    for (const tty of [narrow, wide]) {
      const screen = await typing(tty, first, "the long line drawn again at the narrow width");
      const row = tty.terminal.buffer.active.cursorY;
      expect(screen[row + 1]?.trimEnd()).toBe(`${"b".repeat(20)}'`);
      // Nothing of the line before the redraw is left, and the output above it is kept.
      expect(screen.filter((line) => line.includes("bbbb")).length).toBe(2);
      expect(screen[row - 1]?.trimEnd()).toBe("pasted 42");
    }
    wide.pty.write("\x15");
  });
});
