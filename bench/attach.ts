/**
 * Attach latency, current screen delivered: time from sending `attach` until the client holds
 * the session's current state, for sessions with small and large histories. The client asks
 * for `snapshot: true`; a hub without snapshots replays the full history instead, and the
 * report says which mode was used (the screen is current once the session's last seq arrived).
 */
import { rmSync } from "node:fs";
import type { ClientSocket } from "../src/cli/ClientSocket.js";
import type { BenchContext } from "./context.js";
import { startHub } from "./hub.js";
import { textFile } from "./payload.js";
import { row } from "./report.js";
import { MiB, percentile, sleep, waitUntil, within } from "./stats.js";

const SUITE = "attach";
const ATTACH_TIMEOUT_MS = 120_000;
/** History is complete once the session's last seq has not moved for this long. */
const STABLE_MS = 1500;
/** Printed after the history, so its end shows in the session's preview. */
const DONE_MARK = "BENCH-HISTORY-DONE";

interface Size {
  label: string;
  bytes: number;
  samples: number;
}

export async function attachSuite(ctx: BenchContext): Promise<void> {
  const sizes: Size[] = ctx.quick
    ? [
        { label: "1 KB", bytes: 1024, samples: 20 },
        { label: "10 MB", bytes: 10 * MiB, samples: 5 },
        { label: "50 MB", bytes: 50 * MiB, samples: 3 },
      ]
    : [
        { label: "1 KB", bytes: 1024, samples: 50 },
        { label: "10 MB", bytes: 10 * MiB, samples: 10 },
        { label: "200 MB", bytes: 200 * MiB, samples: 5 },
      ];
  const hub = await startHub({ env: ctx.hubEnv });
  try {
    const socket = await hub.socket();
    let smallP95: number | undefined;
    for (const size of sizes) {
      ctx.log(`${SUITE}: ${size.label} of history`);
      const file = textFile(ctx.scratch, `attach-${size.bytes}.txt`, size.bytes);
      const info = await socket.create({
        command: ["sh", "-c", `cat '${file.path}'; echo ${DONE_MARK}; exec sleep 3600`],
      });
      const lastSeq = await historyDone(socket, info.id);
      rmSync(file.path, { force: true });
      const samples: number[] = [];
      const modes = new Set<string>();
      for (let i = 0; i < size.samples; i++) {
        const sample = await attachOnce(socket, info.id, lastSeq);
        // The file through the PTY, then the mark's line.
        const printed = file.ptyBytes + DONE_MARK.length + 2;
        if (sample.mode === "full replay" && sample.bytes !== printed)
          ctx.note(`${SUITE}: replay of ${size.label} delivered ${sample.bytes} bytes, printed ${printed}`);
        samples.push(sample.ms);
        modes.add(sample.mode);
      }
      const mode = [...modes].join("+");
      const p95 = percentile(samples, 95);
      ctx.add(
        row(SUITE, `attach p50, ${size.label} history`, percentile(samples, 50), "ms", undefined, mode),
      );
      ctx.add(
        row(
          SUITE,
          `attach p95, ${size.label} history (${mode})`,
          p95,
          "ms",
          {
            text: "p95 ≤ 10 ms, flat",
            max: 10,
            ...(smallP95 !== undefined ? { ratio: { value: p95 / smallP95, of: "1 KB" } } : {}),
          },
          `${size.samples} attaches, snapshot requested; mode used: ${mode}`,
        ),
      );
      smallP95 ??= p95;
      await socket.kill(info.id, "SIGKILL").catch(() => undefined);
      await socket.kill(info.id).catch(() => undefined);
    }
  } finally {
    await hub.stop();
  }
}

/**
 * Waits until the session has printed all of the file (its preview shows the mark; stored bytes
 * may be fewer once retention compacts old output) and gone quiet; returns its last seq.
 */
async function historyDone(socket: ClientSocket, id: string): Promise<number> {
  let last = { seq: -1, at: Date.now() };
  return waitUntil(
    `session ${id} to print its history`,
    async () => {
      const info = (await socket.list()).find((s) => s.id === id);
      if (!info) throw new Error(`session ${id} disappeared`);
      if (info.lastSeq !== last.seq) last = { seq: info.lastSeq, at: Date.now() };
      const printed = info.preview.includes(DONE_MARK);
      return printed && Date.now() - last.at >= STABLE_MS ? info.lastSeq : undefined;
    },
    600_000,
    250,
  );
}

async function attachOnce(
  socket: ClientSocket,
  id: string,
  lastSeq: number,
): Promise<{ ms: number; mode: string; bytes: number }> {
  let mode = "full replay";
  let bytes = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const offOutput = socket.onOutput((frame) => {
    if (frame.session !== id) return;
    bytes += frame.data.length;
    if (frame.seq >= lastSeq) finish();
  });
  const offMessage = socket.onMessage((message) => {
    if (message.type === "snapshot" && message.session === id) {
      mode = "snapshot";
      if (message.seq >= lastSeq) finish();
    } else if (message.type === "event" && message.event.session === id && message.event.seq >= lastSeq) {
      finish();
    }
  });
  try {
    const started = performance.now();
    await socket.attach(id, { afterSeq: 0, snapshot: true });
    await within(done, ATTACH_TIMEOUT_MS, `attach to a session with ${lastSeq} events`);
    const ms = performance.now() - started;
    await socket.detach(id);
    await sleep(5);
    return { ms, mode, bytes };
  } finally {
    offOutput();
    offMessage();
  }
}
