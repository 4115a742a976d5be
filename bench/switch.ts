/**
 * Switch while attached: the real terminal client (`dispatch attach`) in a PTY, attached to
 * one of two sessions; the time from typing the prefix key and `]` until the other session's
 * screen (its marker line) has been printed. Each session prints a distinct marker once, so
 * the marker showing up after a switch means the new screen arrived (snapshot or replay).
 * Run by bench/run.ts as the `switch` suite (`--only switch`).
 */
import { type IPty, spawn } from "node-pty";
import type { BenchContext } from "./context.js";
import { BIN, REPO_ROOT, startHub } from "./hub.js";
import { row } from "./report.js";
import { percentile, sleep, waitUntil } from "./stats.js";

const SUITE = "switch";
/** The prefix key (Ctrl-]) then `]`: next session. */
const NEXT_SESSION = "\x1d]";
const SWITCH_TIMEOUT_MS = 10_000;

export async function switchSuite(ctx: BenchContext): Promise<void> {
  const samples = ctx.quick ? 20 : 60;
  const hub = await startHub({ env: ctx.hubEnv });
  let pty: IPty | undefined;
  try {
    const socket = await hub.socket();
    const markers = ["SWITCH-MARK-A", "SWITCH-MARK-B"];
    for (const [i, marker] of markers.entries()) {
      await socket.create({
        name: `switch-${i}`,
        command: ["sh", "-c", `printf '%s\\n' "${marker}"; exec sleep 3600`],
      });
    }
    await waitUntil("both markers stored", async () => {
      const sessions = await socket.list();
      return markers.every((m) => sessions.some((s) => s.preview.includes(m)));
    });

    let text = "";
    pty = spawn(process.execPath, [BIN, "attach", "switch-0"], {
      name: "xterm-256color",
      cols: 120,
      rows: 40,
      cwd: REPO_ROOT,
      env: { ...hub.env, XDG_CONFIG_HOME: ctx.scratch },
    });
    pty.onData((data) => {
      text += data;
    });
    await waitUntil("attached", () => text.includes(markers[0] as string), SWITCH_TIMEOUT_MS);
    await sleep(200);

    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const target = markers[(i + 1) % 2] as string;
      text = "";
      const start = performance.now();
      pty.write(NEXT_SESSION);
      await waitUntil(`switch ${i} to show ${target}`, () => text.includes(target), SWITCH_TIMEOUT_MS, 1);
      times.push(performance.now() - start);
      // Let the status bar and any trailing frames settle before the next switch.
      await sleep(50);
    }
    const p95 = percentile(times, 95);
    ctx.add(row(SUITE, "switch while attached (prefix ] to next screen), p50", percentile(times, 50), "ms"));
    ctx.add(
      row(
        SUITE,
        "switch while attached (prefix ] to next screen), p95",
        p95,
        "ms",
        {
          text: "p95 ≤ 10 ms",
          max: 10,
        },
        `${samples} switches through the real client in a PTY; includes PTY and polling (1 ms) latency`,
      ),
    );
  } finally {
    try {
      pty?.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await hub.stop();
  }
}
