/**
 * `dispatch attach` driven through a real PTY: node-pty runs a shell that runs the attach and
 * then `stty -a`, so the test sees what a user sees and whether the terminal came back
 * (canonical mode and echo on again) after every way out.
 */
import { readFileSync } from "node:fs";
import { type IPty, spawn } from "node-pty";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TERMINAL_RESET } from "../src/cli/RawTerminal.js";
import { BIN, cleanupAll, type HubHandle, REPO_ROOT, startHub, storedOutput, waitFor } from "./harness.js";
import { WireClient } from "./wire.js";

let hub: HubHandle;
const ptys = new Set<IPty>();

beforeAll(async () => {
  hub = await startHub();
});

afterEach(() => {
  for (const pty of ptys) {
    try {
      pty.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }
  ptys.clear();
});

afterAll(async () => {
  await cleanupAll();
});

interface Terminal {
  pty: IPty;
  output(): string;
  /** Resolves with the attach command's exit code, printed by the wrapping shell. */
  attachExit: Promise<number>;
  /** The shell printed `stty -a` after the attach, and all of it arrived. */
  ended: Promise<void>;
}

/**
 * Runs `dispatch attach ARGS` in a fresh 100x30 PTY, then `stty -a` to show the restored modes,
 * then `stty-end`, and the PTY stays open: read at the process's exit, its last output can still
 * be on the way (node-pty may report the exit first), so the tests wait for the marker instead.
 */
function attachInPty(args: string[], env: NodeJS.ProcessEnv = {}): Terminal {
  const script = `"${process.execPath}" "${BIN}" attach ${args.join(" ")}; echo "attach-rc=$?"; stty -a; echo stty-end; exec sleep 120`;
  const pty = spawn("/bin/sh", ["-c", script], {
    name: "xterm-256color",
    cols: 100,
    rows: 30,
    cwd: REPO_ROOT,
    env: { ...hub.env, ...env },
  });
  ptys.add(pty);
  let text = "";
  pty.onData((data) => {
    text += data;
  });
  const ended = waitFor(() => text.includes("stty-end"), {
    timeoutMs: 300_000,
    message: "the shell's stty -a after attach",
  }).then(() => undefined);
  ended.catch(() => undefined);
  const attachExit = waitFor(() => /attach-rc=(\d+)/.exec(text)?.[1], {
    // Counted from the spawn, not from when a test asks (see test/tty.ts).
    timeoutMs: 300_000,
    message: "attach to exit",
  }).then(Number);
  // Not every test waits for the exit; an unobserved rejection must not fail the run.
  attachExit.catch(() => undefined);
  return { pty, output: () => text, attachExit, ended };
}

/**
 * The setup goes through the API, not `dispatch new`/`send`/`logs`: on a loaded machine each CLI
 * start costs seconds (8-17 s seen), and what is tested here is the attach.
 */
async function post(path: string, body: unknown): Promise<void> {
  const response = await hub.api(path, { method: "POST", body: JSON.stringify(body) });
  expect(response.ok, `POST ${path}: ${await response.clone().text()}`).toBe(true);
}

async function sessionInfo(
  name: string,
): Promise<{ status: string; exitCode: number | null; cols: number; rows: number }> {
  return (await (await hub.api(`/api/sessions/${name}`)).json()).session;
}

async function shellSession(name: string): Promise<void> {
  await post("/api/sessions", { name, command: ["/bin/sh"] });
  // A line of output marks the session as started, and shows up in the attach's replay.
  await post(`/api/sessions/${name}/input`, { data: "echo ready-$((2+3))\r" });
  await waitFor(async () => (await storedOutput(hub, name)).includes("ready-5"), {
    message: "session ready",
  });
}

function childOf(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/);
    return children[0] ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** What the PTY showed after `marker` first appeared. */
function textAfter(text: string, marker: string): string {
  const at = text.indexOf(marker);
  return at < 0 ? "" : text.slice(at + marker.length);
}

/** Waits for the wrapping shell to finish `stty -a` (it prints after `attach-rc=`), then checks its modes. */
async function expectRestored(term: Terminal): Promise<void> {
  await term.ended;
  const stty = textAfter(term.output(), "attach-rc=");
  expect(stty).toMatch(/(^|\s)icanon(\s|$)/m);
  expect(stty).toMatch(/(^|\s)echo(\s|$)/m);
}

describe("dispatch attach", () => {
  it("passes keys through, detaches on Ctrl-\\ with exit 0, and restores the terminal", async () => {
    await shellSession("attached");
    const term = attachInPty(["attached"]);
    await waitFor(() => term.output().includes("ready-5"), { message: "replayed output" });

    term.pty.write("echo hi-$((40+2))-marker\r");
    await waitFor(() => term.output().includes("hi-42-marker"), { message: "typed command's output" });

    term.pty.write("\x1c");
    expect(await term.attachExit).toBe(0);
    await term.ended;
    const text = term.output();
    const afterMarker = textAfter(text, "hi-42-marker");
    expect(afterMarker).toContain(TERMINAL_RESET);
    expect(afterMarker).toContain("[dispatch: detached from attached]");
    await expectRestored(term);

    // Detaching leaves the session running, with what was typed in its log.
    expect((await sessionInfo("attached")).status).toBe("running");
    expect(await storedOutput(hub, "attached")).toContain("hi-42-marker");
  });

  it("keeps keys typed while the attach is under way and sends them once the session shows", async () => {
    await shellSession("early");
    const term = attachInPty(["early"]);
    // Typed before the client has started: the terminal holds the line (cooked mode) and hands
    // it over the moment the client makes it raw, right as the attach goes out.
    term.pty.write("echo early-$((40+2))");
    await waitFor(() => term.output().includes("ready-5"), { message: "replayed output" });
    term.pty.write("\r");
    await waitFor(async () => (await storedOutput(hub, "early")).includes("\nearly-42"), {
      message: "the keys typed early ran in the session",
    });
    term.pty.write("\x1c");
    expect(await term.attachExit).toBe(0);
  });

  it("sets the session's size from the terminal and follows its resizes", async () => {
    await shellSession("sized");
    const term = attachInPty(["sized", "--detach-key", "ctrl-]", "--no-status-bar"]);
    await waitFor(() => term.output().includes("ready-5"), { message: "replayed output" });
    const size = async () => {
      const session = await sessionInfo("sized");
      return `${session.cols}x${session.rows}`;
    };
    await waitFor(async () => (await size()) === "100x30", { message: "size 100x30" });
    term.pty.resize(120, 40);
    await waitFor(async () => (await size()) === "120x40", { message: "size 120x40 after SIGWINCH" });

    term.pty.write("\x1c"); // not the detach key here: passed through to the shell
    term.pty.write("\x1d");
    expect(await term.attachExit).toBe(0);
    await expectRestored(term);
  });

  it("prints the exit code when the session ends, after restoring the terminal", async () => {
    await shellSession("leaving");
    const term = attachInPty(["leaving"]);
    await waitFor(() => term.output().includes("ready-5"), { message: "replayed output" });
    term.pty.write("exit 3\r");
    expect(await term.attachExit).toBe(0);
    const text = term.output();
    const tail = textAfter(text, "exit 3");
    expect(tail).toContain(TERMINAL_RESET);
    expect(tail).toContain(
      "[dispatch: leaving exited with code 3; `dispatch revive leaving` starts it again]",
    );
    expect(tail.indexOf(TERMINAL_RESET)).toBeLessThan(tail.indexOf("[dispatch: leaving exited"));
    await expectRestored(term);
  });

  it("attached after the session ended: shows its last screen and the exit, and returns", async () => {
    await post("/api/sessions", { name: "finished", command: ["sh", "-c", "echo done-$((6*7)); exit 3"] });
    await waitFor(async () => (await sessionInfo("finished")).exitCode === 3, {
      message: "the session to end",
    });
    // Its screen stored as a snapshot at the exit (as the hub does once an ended screen is
    // idle): an attach then starts from the snapshot, with no exit event after it to replay.
    const probe = await WireClient.open(hub.url);
    try {
      await probe.request({ type: "hello", protocol: 1, key: hub.key });
      const attached = await probe.request({ type: "attach", session: "finished", snapshot: true });
      const lastSeq = (attached.session as { lastSeq: number }).lastSeq;
      await probe.waitFor((m) => m.type === "snapshot" && m.seq === lastSeq);
    } finally {
      await probe.close();
    }
    const term = attachInPty(["finished"]);
    expect(await term.attachExit).toBe(0);
    expect(term.output()).toContain("done-42");
    expect(term.output()).toContain(
      "[dispatch: finished exited with code 3; `dispatch revive finished` starts it again]",
    );
    await expectRestored(term);
  });

  it("restores the terminal when killed by a signal", async () => {
    await shellSession("signalled");
    const term = attachInPty(["signalled"]);
    await waitFor(() => term.output().includes("ready-5"), { message: "replayed output" });
    // The PTY runs `sh -c "dispatch attach ...; stty -a"`: the attach is the shell's child.
    const attachPid = await waitFor(() => childOf(term.pty.pid), { message: "attach process" });
    process.kill(attachPid, "SIGTERM");
    expect(await term.attachExit).toBe(128 + 15);
    expect(textAfter(term.output(), "ready-5")).toContain(TERMINAL_RESET);
    await expectRestored(term);
  });

  it("an unknown session fails before touching the terminal", async () => {
    const term = attachInPty(["nope-nothing"]);
    expect(await term.attachExit).toBe(1);
    expect(term.output()).toContain("dispatch: no session 'nope-nothing'");
    expect(term.output()).not.toContain(TERMINAL_RESET);
  });

  // Last: it stops the hub.
  it("restores the terminal and exits 1 when the hub stays away past the give-up time", async () => {
    await shellSession("orphan");
    const term = attachInPty(["orphan"], { DISPATCH_RECONNECT_GIVE_UP_MS: "1500" });
    await waitFor(() => term.output().includes("ready-5"), { message: "replayed output" });
    expect((await hub.cli(["stop"])).code).toBe(0);
    await waitFor(() => term.output().includes("reconnecting"), {
      message: "the client to say reconnecting",
    });
    expect(await term.attachExit).toBe(1);
    const text = term.output();
    expect(textAfter(text, "ready-5")).toContain(TERMINAL_RESET);
    expect(text).toContain(
      "dispatch: lost the connection to the hub and could not reach it again within 2 s",
    );
    await expectRestored(term);
  });
});
