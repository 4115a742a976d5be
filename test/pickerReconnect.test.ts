/**
 * The picker through a hub restart: driven in a real PTY, it says it lost the hub, reconnects
 * on its own when the hub is back, shows the session list again saying so, and still attaches.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows } from "./tty.js";

const COLS = 100;
const ROWS = 30;
let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  closeTtys();
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

    const tty = dispatchInPty([], { env: hub.env, cols: COLS, rows: ROWS });
    const term = tty.pty;
    const shows = (check: (r: string[]) => boolean, message: string) => screenShows(tty, check, message);

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
    expect(tty.output()).not.toContain("dispatch-rc=");

    // It works as before: a filter, Enter attaches to the session's current screen.
    term.write("alp\r");
    await shows(
      (r) => r.some((line) => line.includes("ALPHA-42")) && (r[ROWS - 1] ?? "").includes("[alpha]"),
      "attached to alpha",
    );
    term.write("\x1c");
    expect(await tty.rc).toBe(0);
  }, 120_000);
});
