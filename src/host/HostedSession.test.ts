import { describe, expect, it } from "vitest";
import { HostedSession } from "./HostedSession.js";
import type { SessionRuntime } from "./runtimes/runtime.js";

describe("a hosted session", () => {
  it("keeps a pause asked for while its runtime's factory still runs, and applies it once the runtime is there", () => {
    const paused: boolean[] = [];
    const runtime: SessionRuntime = {
      isRunning: true,
      pid: null,
      exitCode: null,
      input: () => undefined,
      stop: () => undefined,
      dispose: () => undefined,
      setPaused: (on) => paused.push(on),
    };
    const session = new HostedSession({
      spec: { id: "s1", kind: "chat", command: [], cwd: "/", env: {}, cols: 80, rows: 24, afterSeq: 0 },
      env: {},
      runDir: "/tmp",
      // A chat's restored conversation is emitted before its factory returns: the host's
      // backpressure may pause the session on one of those events.
      runtime: (context) => {
        context.events.emit("message", { role: "user", text: "restored" });
        return runtime;
      },
      bufferLimitBytes: 1024 * 1024,
      onEvent: (hosted) => hosted.setPaused(true),
      onExit: () => undefined,
    });
    expect(paused).toEqual([true]);
    session.setPaused(false);
    expect(paused).toEqual([true, false]);
  });
});
