/**
 * `dispatch attach` from inside tmux, the terminal many people attach from: the modes a
 * full-screen program set (vim's and less's application keypad and cursor keys, mouse reports,
 * insert mode, origin mode) reach tmux from the session's snapshot as they do from the program
 * run in tmux itself. tmux reads the application keypad only as DECKPAM (`ESC =`); the snapshot
 * sent it only as DECNKM (`CSI ?66h`), so the keypad's keys went to vim as plain digits.
 * Real hub, host, PTYs and tmux (on a socket of the test's own).
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";

const run = promisify(execFile);

/** The modes tmux keeps for a pane, by its format names. */
const FLAGS = [
  "keypad_flag",
  "keypad_cursor_flag",
  "mouse_button_flag",
  "mouse_sgr_flag",
  "insert_flag",
  "origin_flag",
  "wrap_flag",
  "alternate_on",
  "cursor_flag",
];

let hub: HubHandle;
let socket: string;
const tmux = (...args: string[]) => run("tmux", ["-S", socket, "-f", "/dev/null", ...args]);

beforeAll(async () => {
  hub = await startHub();
  socket = join(hub.home, "tmux.sock");
});

afterAll(async () => {
  await tmux("kill-server").catch(() => {});
  await cleanupAll();
});

/** Runs `command` in a new tmux window `name`; resolves with its pane's modes once it shows `marker`. */
async function paneModes(name: string, command: string, marker: string): Promise<Record<string, string>> {
  await tmux("new-session", "-d", "-s", name, "-x", "80", "-y", "24", command);
  await waitFor(async () => (await tmux("capture-pane", "-p", "-t", name)).stdout.includes(marker), {
    timeoutMs: 30_000,
    message: `'${marker}' in tmux window ${name}`,
  });
  const format = FLAGS.map((flag) => `#{${flag}}`).join(" ");
  const values = (await tmux("display-message", "-p", "-t", name, format)).stdout.trim().split(" ");
  return Object.fromEntries(FLAGS.map((flag, i) => [flag, values[i] ?? ""]));
}

describe("dispatch attach inside tmux", () => {
  it("leaves tmux in the modes the program set, as the program run in tmux does", async () => {
    // What vim with `mouse=a` sets (smkx is `CSI ?1h ESC =`), and insert and origin mode.
    const app = String.raw`printf '\033[?1049h\033[?1h\033=\033[?1002h\033[?1006h\033[4h\033[?6hAPP-%s' READY; exec sleep 600`;
    const direct = await paneModes("direct", `sh -c "${app.replaceAll('"', '\\"')}"`, "APP-READY");
    expect(direct.keypad_flag).toBe("1");

    const created = await hub.cli(["new", "--name", "tui", "--", "/bin/sh", "-c", app]);
    expect(created.code, created.stderr).toBe(0);
    // The attach starts from the hub's snapshot (the program printed before it attached).
    // The stored output through the API, polled: not `dispatch logs` (a Node boot a try).
    await waitFor(async () => (await storedOutput(hub, "tui")).includes("APP-READY"), {
      message: "the program's screen at the hub",
    });
    const env = Object.entries(hub.env)
      .map(([key, value]) => `${key}='${value.replaceAll("'", "'\\''")}'`)
      .join(" ");
    const script = join(hub.home, "attach.sh");
    writeFileSync(script, `exec env ${env} "${process.execPath}" "${BIN}" attach tui --no-status-bar\n`);
    const attached = await paneModes("attached", `sh ${script}`, "APP-READY");
    expect(attached).toEqual(direct);
  }, 90_000);
});
