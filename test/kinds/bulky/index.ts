/**
 * The `bulky` plug-in: a kind whose command `blob {bytes}` answers a string of that many bytes,
 * so a test can ask any host for a reply larger than the host link carries, and whose `shout
 * {bytes}` writes a `blob` event of that many bytes, then a small `blob` saying `after`, for an
 * event larger than the link carries; its options (`BulkyOptions`) make its hello, or a revive,
 * as large as a test needs. Both halves in one module (loaded via DISPATCH_PLUGINS by
 * the hub and the host alike).
 */
import { z } from "zod";
import { DispatchError } from "../../../src/core/errors.js";
import type { RuntimeContext, RuntimePlugin, SessionRuntime } from "../../../src/host/runtimes/runtime.js";
import { command, type SessionKind } from "../../../src/kinds/kind.js";

const BlobArgs = z.object({
  bytes: z
    .number()
    .int()
    .min(0)
    .max(64 * 1024 * 1024),
});

/**
 * A `note` the hub keeps in the record's meta, so the host keeps it too and reports it in its
 * hello; `reviveBytes`: a revive's spawn carries that many bytes (as an editor's of a large
 * file, or a chat's of a long conversation, does).
 */
const BulkyOptions = z
  .object({ note: z.string().optional(), reviveBytes: z.number().int().min(0).optional() })
  .strict();

export const kind: SessionKind = {
  name: "bulky",
  label: "bulky replies",
  prepare: ({ options }) => ({ meta: BulkyOptions.parse(options ?? {}), spawn: {} }),
  revive: ({ record }) => ({ options: { pad: "x".repeat(Number(record.meta.reviveBytes ?? 0)) } }),
  events: { blob: z.object({ text: z.string() }) },
  commands: {
    blob: command({ description: "a string of `bytes` bytes", args: BlobArgs }),
    shout: command({ description: "a `blob` event of `bytes` bytes, then a small one", args: BlobArgs }),
  },
};

class BulkyRuntime implements SessionRuntime {
  readonly pid = null;
  private running = true;
  private code: number | null = null;

  constructor(private readonly context: RuntimeContext) {
    const { spec } = context;
    context.events.emit("start", { pid: 0, command: [], cwd: spec.cwd, cols: spec.cols, rows: spec.rows });
  }

  get isRunning(): boolean {
    return this.running;
  }

  get exitCode(): number | null {
    return this.code;
  }

  input(): void {
    if (!this.running) throw new DispatchError("session_exited", "the bulky session has stopped");
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.code = 0;
    this.context.events.emit("exit", { code: 0, signal: null });
    this.context.exited();
  }

  command(name: string, args: unknown): unknown {
    const { bytes } = BlobArgs.parse(args);
    if (name === "shout") {
      const seq = this.context.events.emit("blob", { text: "x".repeat(bytes) });
      this.context.events.emit("blob", { text: "after" });
      return { seq };
    }
    if (name !== "blob") throw new DispatchError("bad_request", `bulky has no command '${name}'`);
    return { blob: "x".repeat(bytes) };
  }

  dispose(): void {
    this.running = false;
  }
}

export const runtime: RuntimePlugin = { kind: "bulky", create: (context) => new BulkyRuntime(context) };
