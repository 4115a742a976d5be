/**
 * Output throughput: `cat` of a generated file in a session, end to end with persistence
 * (create -> host PTY -> hub store -> attached WebSocket client), timed from `create` to the
 * last output byte at the client; beside it, in the same run, a raw node-pty read of the same
 * file and tmux consuming it in a detached session.
 */
import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import * as pty from "node-pty";
import type { ClientSocket } from "../src/cli/ClientSocket.js";
import type { BenchContext } from "./context.js";
import { type BenchHub, startHub } from "./hub.js";
import { textFile } from "./payload.js";
import { row, tmuxVersion } from "./report.js";
import { MiB, within } from "./stats.js";

const SUITE = "throughput";
const COLS = 200;
const ROWS = 50;
const RUN_TIMEOUT_MS = 180_000;

export async function throughputSuite(ctx: BenchContext): Promise<void> {
  const size = (ctx.quick ? 16 : 64) * MiB;
  const label = `cat ${size / MiB} MiB`;
  const file = textFile(ctx.scratch, "throughput.txt", size);
  const hub = await startHub({ env: ctx.hubEnv });
  try {
    ctx.log(`${SUITE}: raw node-pty, ${label}`);
    const raw1 = await rawNodePty(file.path, file.ptyBytes);
    ctx.log(`${SUITE}: dispatch, 1 client`);
    const one = await dispatchCat(hub, file.path, 1, file.ptyBytes);
    const tmux = await tmuxCat(file.path);
    ctx.log(`${SUITE}: dispatch, 10 clients`);
    const ten = await dispatchCat(hub, file.path, 10, file.ptyBytes);
    const raw2 = await rawNodePty(file.path, file.ptyBytes);
    // The faster raw run is the reference: the ratio errs against dispatch, not for it.
    const raw = raw1.ms <= raw2.ms ? raw1 : raw2;
    const rate = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);
    const rawRate = rate(raw.bytes, raw.ms);

    for (const [what, result] of [
      ["raw node-pty", raw1],
      ["raw node-pty (second run)", raw2],
      ["dispatch, 1 client", one],
      ["dispatch, 10 clients", ten],
    ] as const) {
      const expected = file.ptyBytes;
      for (const bytes of "clients" in result ? result.clients : [result.bytes]) {
        if (bytes !== expected) {
          ctx.note(`${SUITE}: ${what} delivered ${bytes} bytes, expected ${expected} (${label})`);
          break;
        }
      }
    }

    ctx.add(
      row(
        SUITE,
        `raw node-pty read, ${label}`,
        rawRate,
        "MiB/s",
        undefined,
        `${raw.ms.toFixed(0)} ms (best of 2)`,
      ),
    );
    const oneRate = rate(Math.min(...one.clients), one.ms);
    ctx.add(
      row(
        SUITE,
        `dispatch -> 1 client, with persistence, ${label}`,
        oneRate,
        "MiB/s",
        { text: "≥ 0.75 × raw node-pty", ratio: { value: oneRate / rawRate, of: "raw", min: 0.75 } },
        `${one.ms.toFixed(0)} ms create -> last byte`,
      ),
    );
    // CPU time per MiB delivered: what the pipeline costs, whatever else the machine runs
    // (wall-clock rates move with the load of a shared machine; this moves much less).
    for (const [what, result] of [
      ["1 client", one],
      ["10 clients", ten],
    ] as const) {
      const mib = file.ptyBytes / MiB;
      const { hub: h, host: o } = result.cpu;
      ctx.add(
        row(
          SUITE,
          `CPU per MiB, ${what}: hub (all threads) + host`,
          (h.total + o.total) / mib,
          "ms",
          undefined,
          `hub ${(h.total / mib).toFixed(1)} (main ${(h.main / mib).toFixed(1)}, workers ${((h.total - h.main) / mib).toFixed(1)}), host ${(o.total / mib).toFixed(1)} ms/MiB`,
        ),
      );
    }
    const tenRate = rate(Math.min(...ten.clients), ten.ms);
    ctx.add(
      row(
        SUITE,
        `dispatch -> 10 clients (per client), ${label}`,
        tenRate,
        "MiB/s",
        { text: "—", ratio: { value: tenRate / rawRate, of: "raw" } },
        `${ten.ms.toFixed(0)} ms create -> last byte at the slowest client`,
      ),
    );
    if (tmux) {
      const tmuxRate = rate(file.ptyBytes, tmux.ms);
      ctx.add(
        row(
          SUITE,
          `tmux detached session, ${label}`,
          tmuxRate,
          "MiB/s",
          { text: "—", ratio: { value: tmuxRate / rawRate, of: "raw" } },
          `${tmux.ms.toFixed(0)} ms new-session -> wait-for; dispatch 1 client = ${(oneRate / tmuxRate).toFixed(2)}× tmux`,
        ),
      );
    } else {
      ctx.note(`${SUITE}: tmux is not installed; the tmux comparison was skipped`);
    }
  } finally {
    await hub.stop();
    rmSync(file.path, { force: true });
  }
}

/**
 * The measured command: `cat`, then a pause, so the end of the output is not the end of the
 * process (node-pty can drop the last read of a process that exits at once, raw or in the host).
 */
function catThenWait(file: string): string[] {
  return ["sh", "-c", `cat '${file.replaceAll("'", "'\\''")}'; sleep 3`];
}

/** node-pty directly, as the host uses it (raw bytes): time from spawn to the last byte. */
function rawNodePty(file: string, expected: number): Promise<{ ms: number; bytes: number }> {
  return within(
    new Promise((resolve) => {
      const started = performance.now();
      let bytes = 0;
      let last = started;
      let done = false;
      const [command, ...args] = catThenWait(file);
      const child = pty.spawn(command as string, args, {
        name: "xterm-256color",
        cols: COLS,
        rows: ROWS,
        cwd: process.cwd(),
        env: process.env as Record<string, string>,
        encoding: null,
      } as unknown as pty.IPtyForkOptions);
      const finish = () => {
        if (done) return;
        done = true;
        resolve({ ms: last - started, bytes });
        child.kill("SIGKILL");
      };
      child.onData((chunk) => {
        bytes += (chunk as unknown as Buffer).length;
        last = performance.now();
        if (bytes >= expected) finish();
      });
      child.onExit(finish);
    }),
    RUN_TIMEOUT_MS,
    "raw node-pty cat",
  );
}

/**
 * A session running `cat FILE`, with `clients` sockets attached from seq 0 (the replay covers
 * whatever was printed before the attach). Done when every client has the `exit` event, which
 * follows the last output in the stream, or when every client has all the bytes.
 */
async function dispatchCat(
  hub: BenchHub,
  file: string,
  clients: number,
  expected: number,
): Promise<{ ms: number; clients: number[]; cpu: { hub: ProcessCpu; host: ProcessCpu } }> {
  const { hub: hubPid, host: hostPid } = hub.pids();
  const cpuBefore = { hub: processCpu(hubPid), host: processCpu(hostPid) };
  const sockets: ClientSocket[] = await Promise.all(Array.from({ length: clients }, () => hub.socket()));
  const control = sockets[0] as ClientSocket;
  const bytes = sockets.map(() => 0);
  const last = sockets.map(() => 0);
  let id = "";
  const exited = sockets.map(
    (socket, i) =>
      new Promise<void>((resolve) => {
        socket.onOutput((frame) => {
          if (frame.session !== id) return;
          bytes[i] = (bytes[i] as number) + frame.data.length;
          last[i] = performance.now();
          if ((bytes[i] as number) >= expected) resolve();
        });
        socket.onMessage((message) => {
          if (message.type === "event" && message.event.session === id && message.event.type === "exit")
            resolve();
        });
      }),
  );
  const started = performance.now();
  const info = await control.create({ command: catThenWait(file), cols: COLS, rows: ROWS });
  id = info.id;
  await Promise.all(sockets.map((socket) => socket.attach(id, { afterSeq: 0, snapshot: false })));
  await within(Promise.all(exited), RUN_TIMEOUT_MS, `dispatch cat to ${clients} client(s)`);
  const ms = Math.max(...last) - started;
  // The screen's catch-up after a flood (a rebuild, a snapshot) belongs to its cost too.
  await new Promise((resolve) => setTimeout(resolve, CPU_SETTLE_MS));
  const cpuAfter = { hub: processCpu(hubPid), host: processCpu(hostPid) };
  const cpu = { hub: cpuSince(cpuBefore.hub, cpuAfter.hub), host: cpuSince(cpuBefore.host, cpuAfter.host) };
  // Removes the ended session and its history, so the next run starts from a small store.
  await control.kill(id, "SIGKILL").catch(() => undefined);
  await control.kill(id).catch(() => undefined);
  await Promise.all(sockets.map((socket) => socket.close()));
  return { ms, clients: bytes, cpu };
}

/** CPU time (user + system, ms) of a process, all threads, and of its main thread. */
interface ProcessCpu {
  total: number;
  main: number;
}

const TICK_MS = 10;
/** Longer than the screen's quiet-rebuild delay and shorter than the command's closing sleep. */
const CPU_SETTLE_MS = 2000;

function processCpu(pid: number | undefined): ProcessCpu {
  if (pid === undefined) return { total: 0, main: 0 };
  const ticks = (stat: string) => {
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  };
  try {
    // The process's line counts every thread (exited ones too); the task of the same id is the main thread.
    return {
      total: ticks(readFileSync(`/proc/${pid}/stat`, "utf8")),
      main: ticks(readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8")),
    };
  } catch {
    return { total: 0, main: 0 };
  }
}

function cpuSince(before: ProcessCpu, after: ProcessCpu): ProcessCpu {
  return { total: after.total - before.total, main: after.main - before.main };
}

/** tmux rendering the same output in a detached session, on a private server. */
async function tmuxCat(file: string): Promise<{ ms: number } | undefined> {
  if (!tmuxVersion()) return undefined;
  const socket = `dispatch-bench-${process.pid}`;
  const env = { ...process.env };
  delete env.TMUX;
  const tmux = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      execFile("tmux", ["-L", socket, "-f", "/dev/null", ...args], { env, timeout: RUN_TIMEOUT_MS }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  try {
    const started = performance.now();
    await tmux([
      "new-session",
      "-d",
      "-x",
      String(COLS),
      "-y",
      String(ROWS),
      `cat '${file.replaceAll("'", "'\\''")}'; tmux wait-for -S done`,
    ]);
    await tmux(["wait-for", "done"]);
    return { ms: performance.now() - started };
  } finally {
    await tmux(["kill-server"]).catch(() => undefined);
  }
}
