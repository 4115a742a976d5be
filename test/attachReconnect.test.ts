/**
 * Self-healing `dispatch attach`: driven in a real PTY through a hub restart (`dispatch stop` /
 * `start`) and a SIGKILL of the hub, the client says it reconnects, shows every line of a
 * session printing numbered lines exactly once, in order, and typing reaches the session after.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type IPty, spawn } from "node-pty";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESTORE_CURSOR, SAVE_CURSOR } from "../src/cli/tui/screen.js";
import { BIN, cleanupAll, type HubHandle, REPO_ROOT, startHub, storedOutput, waitFor } from "./harness.js";

const LINES = 4000;
let hub: HubHandle;
let pty: IPty | undefined;

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  try {
    pty?.kill("SIGKILL");
  } catch {
    // Already exited.
  }
  await cleanupAll();
});

/** The client's output without its status bar (drawn between saved and restored cursor). */
function screenText(raw: string): string {
  const bar = new RegExp(`${escapeRegExp(SAVE_CURSOR)}[\\s\\S]*?${escapeRegExp(RESTORE_CURSOR)}`, "g");
  return raw.replace(bar, "");
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}

function linesShown(raw: string): number[] {
  return [...screenText(raw).matchAll(/line-(\d+)\r*\n/g)].map((m) => Number(m[1]));
}

describe("dispatch attach across hub restarts", () => {
  it("shows every line exactly once through a stop/start and a SIGKILL, and input works after", async () => {
    // Waits for a go, prints the lines a little at a time (still printing through both restarts;
    // at full speed once `fast` exists, as paced to the end it took 30 s), then echoes one line
    // of input back.
    const fast = join(hub.home, "fast");
    const perl = `$| = 1; print "waiting-for-go\\n"; my $go = <STDIN>; for my $i (1..${LINES}) { print "line-$i\\n"; select(undef, undef, undef, 0.03) if $i % 4 == 0 && !-e "${fast}" } print "all-printed\\n"; my $x = <STDIN>; chomp $x; print "got:" . uc($x) . "\\n"; sleep 600`;
    const created = await hub.cli(["new", "--name", "printer", "--", "perl", "-e", perl]);
    expect(created.code, created.stderr).toBe(0);
    // The stored output through the API, polled: not `dispatch logs` (a Node boot a try).
    await waitFor(async () => (await storedOutput(hub, "printer")).includes("waiting-for-go"), {
      message: "the printer to start",
    });

    const script = `"${process.execPath}" "${BIN}" attach printer; echo "attach-rc=$?"`;
    const term = spawn("/bin/sh", ["-c", script], {
      name: "xterm-256color",
      cols: 100,
      rows: 30,
      cwd: REPO_ROOT,
      env: hub.env,
    });
    pty = term;
    let raw = "";
    term.onData((data) => {
      raw += data;
    });
    await waitFor(() => raw.includes("waiting-for-go"), { message: "the attach to show the session" });
    term.write("go\r");
    await waitFor(() => linesShown(raw).length >= 600, { timeoutMs: 30_000, message: "600 lines" }).catch(
      (err) => {
        throw new Error(`${err.message}: ${JSON.stringify(raw.slice(-1500))}`);
      },
    );

    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    await waitFor(() => raw.includes("reconnecting"), { message: "the client to say reconnecting" });
    const started = await hub.cli(["start", "--port", String(hub.port)]);
    expect(started.code, started.stderr).toBe(0);
    const seen = linesShown(raw).length;
    await waitFor(() => linesShown(raw).length >= seen + 600, { timeoutMs: 30_000, message: "more lines" });

    const beforeKill = raw.length;
    process.kill(hub.pids().hub as number, "SIGKILL");
    await waitFor(() => raw.slice(beforeKill).includes("reconnecting"), {
      message: "the client to say reconnecting again",
    });
    const again = await hub.cli(["start", "--port", String(hub.port)]);
    expect(again.code, again.stderr).toBe(0);
    writeFileSync(fast, "");
    await waitFor(() => raw.includes("all-printed"), { timeoutMs: 60_000, message: "the last line" });

    const expected = Array.from({ length: LINES }, (_, i) => i + 1);
    expect(linesShown(raw)).toEqual(expected);
    term.write("hello\r");
    await waitFor(() => raw.includes("got:HELLO"), { message: "typing to reach the session" });
    expect(raw).not.toContain("attach-rc=");
  }, 180_000);
});
