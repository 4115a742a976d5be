/**
 * A session picked from the picker after it had ended: its end brings the picker back, saying
 * how it ended, instead of ending the client (which dropped the user back to their shell as if
 * they had left). Real hub, `dispatch` (the picker) in a PTY.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows } from "./tty.js";

let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
});

afterEach(() => {
  closeTtys();
});

afterAll(async () => {
  await cleanupAll();
});

async function create(name: string, script: string): Promise<void> {
  const res = await hub.api("/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, command: ["sh", "-c", script], cols: 60, rows: 10 }),
  });
  expect(res.status).toBe(201);
}

async function status(name: string): Promise<string> {
  const res = await hub.api(`/api/sessions/${name}`);
  return ((await res.json()) as { session: { status: string } }).session.status;
}

describe("the picker", () => {
  it("comes back, saying how it ended, after a session picked once it had ended", async () => {
    await create("alive", "exec sleep 600");
    await create("done", "echo finished-line; exit 3");
    await waitFor(async () => (await status("done")) !== "running", { message: "'done' to end" });

    const picker = dispatchInPty([], { env: hub.env, cols: 80, rows: 24 });
    await screenShows(picker, (rows) => rows.some((row) => row.includes("alive")), "the picker");
    picker.pty.write("/done");
    await screenShows(
      picker,
      (rows) =>
        rows.some((row) => row.includes("filter: done")) && !rows.some((row) => row.includes("alive")),
      "the filter typed",
    );
    picker.pty.write("\r");
    const rows = await screenShows(
      picker,
      (rows) => rows.some((row) => row.includes("done exited with code 3")),
      "the picker again, with the session's end",
    );
    // The picker, not the shell: the other session is listed, and the client has not ended.
    expect(rows.join("\n")).toContain("alive");
    expect(picker.output()).not.toContain("dispatch-rc=");
    picker.pty.write("q");
    expect(await picker.rc).toBe(0);
  }, 60_000);
});
