/**
 * `dispatch attach` in a real PTY while the hub is away: a paste over one message's limit
 * (1 MiB) typed then reaches the session whole and in order once the hub is back.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows } from "./tty.js";

const PASTE_BYTES = 1_300_000;
let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  closeTtys();
  await cleanupAll();
});

describe("dispatch attach with the hub away", () => {
  it("sends a paste over 1 MiB typed meanwhile, whole and in order, once the hub is back", async () => {
    const out = join(hub.home, "pasted");
    const setup = await hub.socket();
    try {
      // Raw, so the line discipline takes the paste as it comes (a line holds 4 KiB in cooked mode).
      await setup.create({
        name: "paste",
        command: [
          "/bin/sh",
          "-c",
          `stty raw -echo; echo ready-$((40+2)); head -c ${PASTE_BYTES} > ${out}; echo got-all; sleep 600`,
        ],
        cwd: hub.home,
      });
    } finally {
      await setup.close();
    }
    await waitFor(async () => (await storedOutput(hub, "paste")).includes("ready-42"), { message: "ready" });
    const tty = dispatchInPty(["attach", "paste"], { env: hub.env, cols: 80, rows: 12 });
    await screenShows(tty, (rows) => rows.some((row) => row.includes("ready-42")), "attached");
    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    await screenShows(
      tty,
      (rows) => (rows.at(-1) ?? "").includes("reconnecting"),
      "the bar says reconnecting",
    );

    const paste = "0123456789abcdefghijklmnopqrstuvwxyz\n"
      .repeat(Math.ceil(PASTE_BYTES / 37))
      .slice(0, PASTE_BYTES);
    tty.pty.write(paste);
    const started = await hub.cli(["start", "--port", String(hub.port)]);
    expect(started.code, started.stderr).toBe(0);
    await waitFor(async () => (await storedOutput(hub, "paste")).includes("got-all"), {
      timeoutMs: 60_000,
      message: "the session to get the whole paste",
    }).catch((err) => {
      throw new Error(`${err}; the session got ${statSync(out, { throwIfNoEntry: false })?.size ?? 0} bytes`);
    });
    expect(readFileSync(out, "utf8") === paste).toBe(true);
  }, 180_000);
});
