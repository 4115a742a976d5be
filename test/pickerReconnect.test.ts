/**
 * The picker through a hub restart: driven in a real PTY, it says it lost the hub, reconnects
 * on its own when the hub is back, shows the session list again saying so, and still attaches.
 */
import headless from "@xterm/headless";
import { type IPty, spawn } from "node-pty";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanupAll, type HubHandle, REPO_ROOT, startHub, waitFor } from "./harness.js";

const COLS = 100;
const ROWS = 30;
let hub: HubHandle;
let pty: IPty | undefined;
let terminal: headless.Terminal | undefined;

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  try {
    pty?.kill("SIGKILL");
  } catch {
    // Already exited.
  }
  terminal?.dispose();
  await cleanupAll();
});

describe("the picker across a hub restart", () => {
  it("says it lost the hub, comes back with the list and says so, then attaches", async () => {
    const created = await hub.cli(["new", "--name", "alpha", "--", "/bin/sh"]);
    expect(created.code, created.stderr).toBe(0);
    await hub.cli(["send", "alpha", "--enter", "echo ALPHA-$((40+2))"]);
    await waitFor(async () => (await hub.cli(["logs", "alpha"])).stdout.includes("ALPHA-42"), {
      message: "alpha ready",
    });

    const script = `"${process.execPath}" "${BIN}"; echo "dispatch-rc=$?"`;
    const term = spawn("/bin/sh", ["-c", script], {
      name: "xterm-256color",
      cols: COLS,
      rows: ROWS,
      cwd: REPO_ROOT,
      env: hub.env,
    });
    pty = term;
    const screen = new headless.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
    terminal = screen;
    let raw = "";
    let written = Promise.resolve();
    term.onData((data) => {
      raw += data;
      written = written.then(() => new Promise<void>((resolve) => screen.write(data, resolve)));
    });
    const rows = async () => {
      await written;
      const buffer = screen.buffer.active;
      return Array.from(
        { length: ROWS },
        (_, y) => buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? "",
      );
    };
    const shows = async (check: (r: string[]) => boolean, message: string) => {
      let last: string[] = [];
      try {
        await waitFor(
          async () => {
            last = await rows();
            return check(last);
          },
          { timeoutMs: 30_000, message },
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}\nscreen:\n${last.join("\n")}`);
      }
    };

    await shows(
      (r) => r.some((line) => line.includes("alpha")) && r.some((l) => l.includes("1 session")),
      "the picker",
    );
    const port = hub.port;
    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    await shows((r) => r.some((line) => line.includes("lost the hub; reconnecting")), "reconnecting");

    const started = await hub.cli(["start", "--port", String(port)]);
    expect(started.code, started.stderr).toBe(0);
    await shows(
      (r) =>
        r.some((line) => line.includes("alpha")) && (r[ROWS - 1] ?? "").includes("reconnected to the hub"),
      "the picker again, saying it reconnected",
    );
    expect(raw).not.toContain("dispatch-rc=");

    // It works as before: a filter, Enter attaches to the session's current screen.
    term.write("alp\r");
    await shows(
      (r) => r.some((line) => line.includes("ALPHA-42")) && (r[ROWS - 1] ?? "").includes("[alpha]"),
      "attached to alpha",
    );
    term.write("\x1c");
    await waitFor(() => /dispatch-rc=(\d+)/.exec(raw)?.[1] === "0", { message: "a clean detach" });
  }, 120_000);
});
