/**
 * `dispatch attach` told of a role an owner changes while it is attached, through a real PTY
 * mirrored on a headless terminal: lowered to viewer, its bar says it is now read-only and what
 * is typed is not sent; given write again, it says so and the keys reach the shell.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows } from "./tty.js";

let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
});

afterEach(() => closeTtys());

afterAll(async () => {
  await cleanupAll();
});

describe("dispatch attach: a role changed while attached", () => {
  it("says 'you are now read-only', holds the keys back, then 'you can write now'", async () => {
    const created = await hub.cli(["new", "--name", "roled", "--", "/bin/sh"]);
    expect(created.code, created.stderr).toBe(0);
    const added = await hub.api("/api/users", {
      method: "POST",
      body: JSON.stringify({ name: "pat", role: "writer" }),
    });
    expect(added.status, await added.clone().text()).toBe(201);
    const { token } = (await added.json()) as { token: string };
    const setRole = async (role: string) => {
      const res = await hub.api("/api/users/pat", { method: "PATCH", body: JSON.stringify({ role }) });
      expect(res.status, await res.clone().text()).toBe(200);
    };

    const tty = dispatchInPty(["attach", "roled"], {
      env: { ...hub.env, DISPATCH_KEY: token },
      cols: 100,
      rows: 12,
    });
    const bar = (rows: string[]) => rows.at(-1) ?? "";
    await screenShows(tty, (rows) => bar(rows).includes("[roled]"), "the bar");
    tty.pty.write("echo first-$((2+3))\r");
    await screenShows(tty, (rows) => rows.some((row) => row === "first-5"), "the writer's keys run");

    await setRole("viewer");
    await screenShows(
      tty,
      (rows) => bar(rows).includes("you are now read-only on roled"),
      "the bar saying read-only",
    );
    // Typed while read-only: not sent, and the bar says why instead.
    tty.pty.write("echo held-$((3+4))\r");
    await screenShows(
      tty,
      (rows) => /^ read-only on roled: what you type is not sent/.test(bar(rows)),
      "held",
    );

    await setRole("writer");
    await screenShows(tty, (rows) => bar(rows).includes("you can write now"), "the bar saying write");
    tty.pty.write("echo again-$((5+6))\r");
    await screenShows(tty, (rows) => rows.some((row) => row === "again-11"), "the keys run again");
    // What was typed while read-only never reached the shell.
    const logs = await hub.cli(["logs", "roled"]);
    expect(logs.stdout).not.toContain("held-");
    expect(tty.output()).not.toMatch(/forbidden|cannot type/);
  });
});
