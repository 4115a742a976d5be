/**
 * A session running in a pseudo-terminal (kinds `terminal`, `agent`): PTY output becomes
 * coalesced `output` events, and the foreground process is watched for `status` events.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import * as pty from "node-pty";
import { DispatchError } from "../core/errors.js";
import type { HostSessionState } from "../protocol/host.js";
import { foregroundCommand } from "./foreground.js";
import type { HostedSession, RuntimeContext } from "./HostedSession.js";
import { OutputCoalescer } from "./OutputCoalescer.js";
import { SessionEventLog } from "./SessionEventLog.js";

/** After the process exits, output quiet this long means everything has been read. */
const EXIT_TAIL_QUIET_MS = 30;
/** ...but the exit is recorded after this long whatever still trickles in. */
const EXIT_TAIL_MAX_MS = 500;
/** How often the foreground process is checked; a status event is born only on change. */
const FOREGROUND_POLL_MS = 1000;

export class PtySession implements HostedSession {
  readonly id: string;
  readonly kind: string;
  private readonly log: SessionEventLog;
  private readonly coalescer: OutputCoalescer;
  private readonly process: pty.IPty;
  private foreground: string | null = null;
  private pollTimer: NodeJS.Timeout | undefined;
  private exitCode: number | null = null;
  private running = true;
  private cols: number;
  private rows: number;
  private paused = false;
  private exitTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RuntimeContext) {
    const { spec, argv, env } = options;
    this.id = spec.id;
    this.kind = spec.kind;
    this.cols = spec.cols;
    this.rows = spec.rows;
    this.log = new SessionEventLog({
      session: spec.id,
      afterSeq: spec.afterSeq,
      bufferLimitBytes: options.bufferLimitBytes,
      onEvent: (event) => options.onEvent(this, event),
    });
    this.coalescer = new OutputCoalescer((data) => this.log.output(data));
    const [file, ...args] = argv;
    checkSpawnable(file as string, spec.cwd, env);
    this.process = pty.spawn(file as string, args, {
      name: "xterm-256color",
      cols: spec.cols,
      rows: spec.rows,
      cwd: spec.cwd,
      env,
      // Raw bytes: no UTF-8 decoding in the host, and multibyte characters split across reads
      // stay intact for whoever decodes them.
      encoding: null,
    } as pty.IPtyForkOptions);
    if (spec.preface) {
      this.log.json("revived", {});
      this.log.output(Buffer.from(spec.preface));
    }
    this.log.json("start", {
      pid: this.process.pid,
      command: argv,
      cwd: spec.cwd,
      cols: spec.cols,
      rows: spec.rows,
    });
    this.process.onData((chunk) => {
      this.coalescer.push(chunk as unknown as Buffer);
      // Output still draining after the exit: wait for it before closing the log.
      if (this.exitTimer) this.exitTimer.refresh();
    });
    this.process.onExit(({ exitCode, signal }) => this.awaitTail(exitCode, signal ?? null));
    this.pollTimer = setInterval(() => this.pollForeground(), FOREGROUND_POLL_MS);
    this.pollTimer.unref();
  }

  get pid(): number {
    return this.process.pid;
  }

  get isRunning(): boolean {
    return this.running;
  }

  get bufferedBytes(): number {
    return this.log.bufferedBytes;
  }

  state(): HostSessionState {
    return {
      id: this.id,
      kind: this.kind,
      pid: this.process.pid,
      running: this.running,
      exitCode: this.exitCode,
      lastSeq: this.log.lastSeq,
      cols: this.cols,
      rows: this.rows,
      foreground: this.foreground,
    };
  }

  write(data: string): void {
    if (!this.running)
      throw new DispatchError("session_exited", "the session has exited; input was not delivered");
    this.process.write(data);
  }

  resize(cols: number, rows: number): void {
    if (!this.running || (cols === this.cols && rows === this.rows)) return;
    this.process.resize(cols, rows);
    this.cols = cols;
    this.rows = rows;
    this.log.json("resize", { cols, rows });
  }

  signal(signal: string): void {
    if (!this.running) return;
    this.process.kill(signal);
  }

  ack(seq: number): void {
    this.log.ack(seq);
  }

  note(type: "state", data: Record<string, unknown>): void {
    // Output before the note stays before it in the log.
    this.coalescer.flush();
    this.log.json(type, data);
  }

  replayAfter(seq: number): (Uint8Array | string)[] {
    return this.log.replayAfter(seq);
  }

  /**
   * Flow control while a hub is connected: the PTY is paused when the hub falls this far
   * behind, so output is never dropped while the log can still take it. With no hub, the
   * PTY is never paused and the bounded buffer records a gap instead.
   */
  setPaused(paused: boolean): void {
    if (paused === this.paused || !this.running) return;
    this.paused = paused;
    if (paused) this.process.pause();
    else this.process.resume();
  }

  dispose(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    if (this.running) {
      try {
        this.process.kill("SIGHUP");
      } catch {
        // Already gone: nothing to stop.
      }
    }
  }

  private pollForeground(): void {
    if (!this.running) return;
    const foreground = foregroundCommand(this.process.pid);
    if (foreground === this.foreground) return;
    this.foreground = foreground;
    this.coalescer.flush();
    this.log.json("status", { foreground });
  }

  /**
   * node-pty reports the exit before it has read everything the process wrote, so a command
   * that prints and exits at once would lose its last kilobytes. The exit event is written once
   * the output has been quiet for `EXIT_TAIL_QUIET_MS` (at most `EXIT_TAIL_MAX_MS`).
   */
  private awaitTail(exitCode: number, signal: number | null): void {
    const deadline = setTimeout(() => finish(), EXIT_TAIL_MAX_MS);
    const finish = () => {
      clearTimeout(deadline);
      if (this.exitTimer) clearTimeout(this.exitTimer);
      this.exitTimer = undefined;
      this.handleExit(exitCode, signal);
    };
    this.exitTimer = setTimeout(finish, EXIT_TAIL_QUIET_MS);
  }

  private handleExit(exitCode: number, signal: number | null): void {
    this.coalescer.flush();
    this.running = false;
    this.exitCode = exitCode;
    this.foreground = null;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.log.json("exit", { code: signal ? null : exitCode, signal: signal || null });
    this.options.onExit(this);
  }
}

/**
 * node-pty forks before it execs, so a missing program or directory would surface as a
 * cryptic exit. Checking first gives the person a clear reason.
 */
function checkSpawnable(file: string, cwd: string, env: Record<string, string>): void {
  let isDir = false;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir)
    throw new DispatchError("bad_request", `working directory '${cwd}' does not exist or is not a directory`);
  const candidates = file.includes("/")
    ? [isAbsolute(file) ? file : join(cwd, file)]
    : (env.PATH ?? "/usr/bin:/bin").split(delimiter).map((dir) => join(dir, file));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return;
    } catch {
      // Not here; try the next PATH entry.
    }
  }
  throw new DispatchError("bad_request", `command not found: '${file}' (not executable, or not on PATH)`);
}
