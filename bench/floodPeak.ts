/**
 * Peak memory on the 1 GB path: one session prints 1 GB (256 MiB with `--quick`) while one
 * client is attached and reading and another is attached and paused (its socket never read).
 * Every buffer on the way must be bounded: the host's (flow control), the hub's intake and
 * screens, and each client's queue (a slow client lags on its own cursor and skips to a
 * snapshot). Reported: the hub's and host's peak RSS (VmHWM from /proc), beside the goal.
 */
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import type { BenchContext } from "./context.js";
import { startHub } from "./hub.js";
import { row } from "./report.js";
import { waitUntil } from "./stats.js";

const SUITE = "flood-peak";

export async function floodPeakSuite(ctx: BenchContext): Promise<void> {
  const mib = ctx.quick ? 256 : 1024;
  const hub = await startHub({ env: ctx.hubEnv });
  let paused: WebSocket | undefined;
  try {
    const live = await hub.socket();
    const info = await live.create({
      name: "flood",
      command: [
        "sh",
        "-c",
        `yes 'dispatch flood-peak line of some sixty characters, repeated' | head -c ${mib}M; sleep 1`,
      ],
    });
    await live.attach(info.id, { afterSeq: 0, snapshot: true });
    paused = await pausedClient(hub.url, hub.key, info.id);
    ctx.log(`${SUITE}: ${mib} MiB through one session, one live and one paused client`);
    const started = Date.now();
    await waitUntil(
      "the flood to end",
      async () => (await live.list()).find((s) => s.id === info.id)?.status === "exited",
      30 * 60_000,
      500,
    );
    const seconds = (Date.now() - started) / 1000;
    const { hub: hubPid, host: hostPid } = hub.pids();
    const note = `${mib} MiB in ${seconds.toFixed(0)} s; VmHWM (peak resident) of each process`;
    ctx.add(
      row(
        SUITE,
        `hub peak RSS, ${mib} MiB through one session, 1 live + 1 paused client`,
        peak(hubPid) / 1e6,
        "MB",
        { text: "≤ 250 MB", max: 250 },
        note,
      ),
    );
    ctx.add(row(SUITE, `host peak RSS, same run`, peak(hostPid) / 1e6, "MB", undefined, note));
  } finally {
    paused?.terminate();
    await hub.stop();
  }
}

/** A client that attaches and then never reads: its socket is paused at the TCP level. */
async function pausedClient(url: string, key: string, session: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws`, {
    headers: { authorization: `Bearer ${key}` },
  });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const attached = new Promise<void>((resolve) => {
    ws.on("message", (raw, isBinary) => {
      if (!isBinary && String(raw).includes('"attached"')) resolve();
    });
  });
  ws.send(JSON.stringify({ type: "hello", protocol: 1 }));
  ws.send(JSON.stringify({ type: "attach", session, afterSeq: 0, snapshot: true, ref: 1 }));
  await attached;
  // `ws` exposes no pause; its underlying socket does.
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  return ws;
}

function peak(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : Number.NaN;
}
