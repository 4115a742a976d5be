/**
 * Runtimes loaded with their first session (the editor's Yjs, the workspace's Jupyter client):
 * the first spawn waits for the module, later ones start at once, and a module that cannot be
 * loaded answers the spawn with an error that names it while the host goes on serving.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { HostMessage } from "../../protocol/host.js";
import { HostDaemon, type HubPeer } from "../HostDaemon.js";
import { lazyRuntime, registerRuntime, runtimeFor } from "./registry.js";

const runDir = mkdtempSync(join(tmpdir(), "dispatch-lazy-runtime-"));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

/** A hub as the daemon sees it: every control message it was sent, parsed. */
function recordingHub(): { peer: HubPeer; messages: HostMessage[] } {
  const messages: HostMessage[] = [];
  const peer: HubPeer = {
    send(wire, onWritten) {
      if (typeof wire === "string") messages.push(JSON.parse(wire) as HostMessage);
      onWritten();
    },
    close() {},
  };
  return { peer, messages };
}

async function replyTo(messages: HostMessage[], ref: number): Promise<HostMessage & { type: "reply" }> {
  for (let i = 0; i < 200; i++) {
    const reply = messages.find((m) => m.type === "reply" && m.ref === ref);
    if (reply) return reply as HostMessage & { type: "reply" };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no reply to ${ref}`);
}

describe("lazily loaded runtimes", () => {
  it("loads the editor runtime on first use, then hands out the same factory at once", async () => {
    const first = runtimeFor("editor");
    expect(first).toBeInstanceOf(Promise);
    const factory = await first;
    expect(typeof factory).toBe("function");
    expect(runtimeFor("editor")).toBe(factory);
    expect(typeof runtimeFor("terminal")).toBe("function");
  });

  it("answers a spawn whose runtime cannot be loaded with an error naming it, and keeps serving", async () => {
    const missing = "./no-such-runtime.js";
    registerRuntime(
      "broken",
      lazyRuntime("the broken runtime", () => import(missing)),
    );
    const daemon = new HostDaemon({
      id: "local",
      name: "local",
      baseEnv: {},
      runDir,
      logger: pino({ level: "silent" }),
      onShutdown: () => {},
    });
    const { peer, messages } = recordingHub();
    daemon.connect(peer);
    const spec = {
      id: "s1",
      kind: "broken",
      command: [],
      cwd: runDir,
      env: {},
      cols: 80,
      rows: 24,
      afterSeq: 0,
    };
    daemon.handle(peer, { type: "spawn", ref: 1, spec });
    const reply = await replyTo(messages, 1);
    expect(reply.ok).toBe(false);
    expect(reply.ok ? "" : reply.error.message).toMatch(/could not load the broken runtime/);
    // The host goes on: a session of a kind it has starts, and the broken one is tried again.
    daemon.handle(peer, {
      type: "spawn",
      ref: 2,
      spec: { ...spec, id: "s2", kind: "terminal", command: ["sleep", "30"] },
    });
    expect((await replyTo(messages, 2)).ok).toBe(true);
    daemon.handle(peer, { type: "spawn", ref: 3, spec });
    expect((await replyTo(messages, 3)).ok).toBe(false);
    daemon.shutdown();
  });
});
