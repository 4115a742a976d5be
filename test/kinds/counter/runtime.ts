/**
 * The host half of `counter`: counts the lines it receives, echoes each count as output, and
 * writes a `count` event per line. Capabilities: `command` only (no size, no signals).
 */
import { DispatchError } from "../../../src/core/errors.js";
import type { RuntimeContext, SessionRuntime } from "../../../src/host/runtimes/runtime.js";

export class CounterRuntime implements SessionRuntime {
  readonly pid = null;
  private running = true;
  private code: number | null = null;
  private total: number;
  private line = "";

  constructor(private readonly context: RuntimeContext) {
    const { spec, events } = context;
    this.total = Number(spec.options?.start ?? 0);
    events.emit("start", { pid: 0, command: [], cwd: spec.cwd, cols: spec.cols, rows: spec.rows });
    events.output(new TextEncoder().encode(`counting from ${this.total}\r\n`));
  }

  get isRunning(): boolean {
    return this.running;
  }

  get exitCode(): number | null {
    return this.code;
  }

  input(data: string): void {
    if (!this.running) throw new DispatchError("session_exited", "the counter has stopped");
    for (const char of data) {
      if (char !== "\r" && char !== "\n") {
        this.line += char;
        continue;
      }
      if (this.line.length === 0) continue;
      this.total++;
      this.context.events.output(new TextEncoder().encode(`${this.total}: ${this.line}\r\n`));
      this.context.events.emit("count", { total: this.total, line: this.line });
      this.line = "";
    }
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.code = 0;
    this.context.events.emit("exit", { code: 0, signal: null });
    this.context.exited();
  }

  command(name: string): unknown {
    if (name === "total") return { total: this.total };
    throw new DispatchError("bad_request", `counter has no command '${name}'`);
  }

  dispose(): void {
    this.running = false;
  }
}
