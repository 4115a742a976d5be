/**
 * `terminal`: a session in a pseudo-terminal running the user's shell or a given command
 * (the agent runtime builds on it). PTY output becomes `output` events, and the foreground
 * process is watched for `status` events. Capabilities: resize, signal, foreground, pause.
 */
import { accessSync, constants, readSync, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import * as pty from "node-pty";
import { DispatchError } from "../../core/errors.js";
import { foregroundCommand } from "./foreground.js";
import type { RuntimeContext, SessionRuntime } from "./runtime.js";
import { sandboxedArgv } from "./sandbox.js";

/** After the process exits, output quiet this long means everything has been read. */
const EXIT_TAIL_QUIET_MS = 30;
/** ...but the exit is recorded after this long whatever still trickles in. */
const EXIT_TAIL_MAX_MS = 500;
/** How often the foreground process is checked; a status event is born only on change. */
const FOREGROUND_POLL_MS = 1000;
/** Checks in a row that must find the foreground idle before a busy one is reported idle. */
const IDLE_CHECKS = 2;
/** What a PTY still holds when it closes is read in pieces this large... */
const DRAIN_READ_BYTES = 64 * 1024;
/** ...at most this many (a background process may keep writing to it). */
const DRAIN_MAX_READS = 16;

/** The user's shell: `$SHELL` in the host's environment, else bash. */
export function defaultShell(env: Record<string, string | undefined>): string {
  return env.SHELL && env.SHELL.length > 0 ? env.SHELL : "/bin/bash";
}

export class TerminalRuntime implements SessionRuntime {
  private readonly process: pty.IPty;
  private current: string | null = null;
  /** Checks in a row that found the foreground idle while `current` says busy. */
  private idleChecks = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private code: number | null = null;
  private running = true;
  private cols: number;
  private rows: number;
  private paused = false;
  private exitTimer: NodeJS.Timeout | undefined;
  /**
   * In a sandbox the PTY's process is bwrap, so the session's own command in the foreground
   * means the shell is idle, as the process itself does outside one.
   */
  private ownCommand: string | undefined;

  constructor(protected readonly context: RuntimeContext) {
    const { spec, env, events } = context;
    this.cols = spec.cols;
    this.rows = spec.rows;
    const argv = spec.command.length > 0 ? [...spec.command] : [defaultShell(env)];
    checkSpawnable(argv[0] as string, spec.cwd, env);
    // Asked for a sandbox: run in one or not at all (sandboxedArgv throws when it cannot).
    const sandboxed = spec.options?.sandbox === true;
    if (sandboxed) this.ownCommand = argv.join(" ");
    const [file, ...args] = sandboxed ? sandboxedArgv(argv, spec.cwd, context.sandbox ?? { hide: [] }) : argv;
    this.process = pty.spawn(file as string, args, {
      name: "xterm-256color",
      cols: spec.cols,
      rows: spec.rows,
      cwd: spec.cwd,
      env: { ...env, TERM: "xterm-256color", COLORTERM: "truecolor" },
      // Raw bytes: no UTF-8 decoding in the host, and multibyte characters split across reads
      // stay intact for whoever decodes them.
      encoding: null,
    } as pty.IPtyForkOptions);
    this.drainBeforeClose();
    if (spec.preface) {
      events.emit("revived", {});
      events.output(Buffer.from(spec.preface));
    }
    events.emit("start", {
      pid: this.process.pid,
      command: argv,
      ...(sandboxed ? { sandbox: true } : {}),
      cwd: spec.cwd,
      cols: spec.cols,
      rows: spec.rows,
    });
    this.process.onData((chunk) => this.received(chunk as unknown as Buffer));
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

  get exitCode(): number | null {
    return this.code;
  }

  get size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }

  input(data: string): void {
    if (!this.running)
      throw new DispatchError("session_exited", "the session has exited; input was not delivered");
    this.process.write(data);
  }

  stop(signal = "SIGHUP"): void {
    this.signal(signal);
  }

  resize(cols: number, rows: number): void {
    if (!this.running || (cols === this.cols && rows === this.rows)) return;
    this.process.resize(cols, rows);
    this.cols = cols;
    this.rows = rows;
    this.context.events.emit("resize", { cols, rows });
  }

  signal(signal: string): void {
    if (!this.running) return;
    this.process.kill(signal);
  }

  foreground(): string | null {
    return this.current;
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
    else this.resumeReading();
  }

  /**
   * node-pty closes the PTY before everything the process wrote has been read, two ways:
   * - libuv takes a hang-up that comes with a short read as the end of the stream, without
   *   reading again: a command that prints its last line and exits at once loses that line
   *   about once in a thousand exits on a loaded machine (the kernel had not yet moved it to
   *   the PTY's read side when the first read ran);
   * - node-pty destroys the socket 200 ms after the process is reaped (a workaround for a
   *   macOS socket that never closes), dropping what is unread: all of the tail while paused.
   * So every close first takes what the socket has buffered, then reads what the PTY still
   * holds, synchronously. The kernel's read waits for output still in flight, and an ended
   * process's output is bounded by the PTY's buffer; `DRAIN_MAX_READS` bounds a background
   * process that keeps the PTY open and writing.
   */
  private drainBeforeClose(): void {
    const terminal = this.process as unknown as {
      _fd?: number;
      _socket?: { destroy(...args: unknown[]): unknown; read(): unknown; destroyed: boolean };
    };
    const socket = terminal._socket;
    const fd = terminal._fd;
    if (!socket || typeof socket.destroy !== "function" || typeof fd !== "number") return;
    const destroy = socket.destroy.bind(socket);
    socket.destroy = (...args: unknown[]) => {
      // Once only: after the first destroy the descriptor closes, and its number may soon
      // belong to another file.
      if (!socket.destroyed) this.drain(socket, fd);
      return destroy(...args);
    };
  }

  private drain(socket: { read(): unknown }, fd: number): void {
    // First what the socket read ahead while paused: each `read()` hands it to `onData`.
    while (socket.read() !== null);
    const buffer = Buffer.allocUnsafe(DRAIN_READ_BYTES);
    for (let reads = 0; reads < DRAIN_MAX_READS; reads++) {
      let read: number;
      try {
        read = readSync(fd, buffer);
      } catch {
        break; // EAGAIN: nothing more for now; EIO: the PTY is empty and closed.
      }
      if (read <= 0) break;
      this.received(Buffer.from(buffer.subarray(0, read)));
    }
  }

  private received(chunk: Buffer): void {
    this.context.events.output(chunk);
    // Output still draining after the exit: wait for it before closing the log.
    if (this.exitTimer) this.exitTimer.refresh();
  }

  private resumeReading(): void {
    this.paused = false;
    this.process.resume();
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
    const found = foregroundCommand(this.process.pid, { ownChildren: this.ownCommand === undefined });
    const foreground = found === this.ownCommand ? null : found;
    // A command between two of its children (a loop's `date` done, its `sleep` not begun) reads
    // as idle for an instant: idle counts once two checks in a row see it.
    if (foreground === null && this.current !== null && ++this.idleChecks < IDLE_CHECKS) return;
    this.idleChecks = 0;
    if (foreground === this.current) return;
    this.current = foreground;
    this.context.events.emit("status", { foreground });
  }

  /**
   * node-pty reports the exit once the PTY's socket has closed, and that close reads the PTY
   * dry (`drainBeforeClose`). Output that still arrives after the exit (a platform whose close
   * comes first) is waited for too: the exit event is written once the output has been quiet
   * for `EXIT_TAIL_QUIET_MS` (at most `EXIT_TAIL_MAX_MS`).
   */
  private awaitTail(exitCode: number, signal: number | null): void {
    // Paused, the tail would sit unread while the quiet timer below runs out (nothing can
    // arrive), and the exit would be recorded without it; an ended process's output is bounded
    // by the PTY's buffer, so it is read regardless of flow control.
    if (this.paused) this.resumeReading();
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
    this.running = false;
    this.code = exitCode;
    this.current = null;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.context.events.emit("exit", { code: signal ? null : exitCode, signal: signal || null });
    this.context.exited();
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
    throw new DispatchError(
      "bad_request",
      `working directory '${cwd}' does not exist or is not a directory`,
      {
        field: "cwd",
      },
    );
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
  throw new DispatchError("bad_request", `command not found: '${file}' (not executable, or not on PATH)`, {
    field: "command",
  });
}
