/**
 * A host stopped while no hub is connected keeps its sessions' ends for the next host process:
 * what the hub never acknowledged (output, then the exit saying the host stopped it) is replayed
 * after the next hello, which reports the session as ended. One stopped with its hub connected
 * waits for the hub to store those ends and then has nothing to keep. Real daemons and a real
 * PTY; the hub is a recorder.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, expect, it } from "vitest";
import { decodeOutputFrame } from "../protocol/frames.js";
import type { HostMessage } from "../protocol/host.js";
import { HOST_STOPPED_REASON, HostDaemon, type HubPeer } from "./HostDaemon.js";
import { takeSavedSessions } from "./SavedSessions.js";

const dir = mkdtempSync(join(tmpdir(), "dispatch-saved-sessions-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const logger = pino({ level: "silent" });
const file = join(dir, "local.saved-sessions.json");

/** A hub as the daemon sees it: control messages parsed, output frames decoded. */
function recordingHub(): { peer: HubPeer; messages: HostMessage[]; output: () => string } {
  const messages: HostMessage[] = [];
  let output = "";
  const peer: HubPeer = {
    send(wire, onWritten) {
      if (typeof wire === "string") messages.push(JSON.parse(wire) as HostMessage);
      else output += new TextDecoder().decode(decodeOutputFrame(wire)?.data);
      onWritten();
    },
    close() {},
  };
  return { peer, messages, output: () => output };
}

async function until<T>(check: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never: ${what}`);
}

function daemon(onShutdown: () => void = () => {}): HostDaemon {
  return new HostDaemon({
    id: "local",
    name: "local",
    baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    runDir: join(dir, "run"),
    savedSessionsFile: file,
    logger,
    onShutdown,
  });
}

it("replays the output and the exit of a session stopped with no hub, after the next hello", async () => {
  const first = daemon();
  const hub = recordingHub();
  first.connect(hub.peer);
  const marker = join(dir, "printed");
  const command = ["sh", "-c", `echo printed-before-stop; touch ${marker}; exec sleep 60`];
  // The session's token travels in its env: it must not reach the disk.
  const env = { DISPATCH_SESSION_TOKEN: "secret-token-1234" };
  const spec = { id: "s1", kind: "terminal", command, cwd: dir, env, cols: 80, rows: 24, afterSeq: 0 };
  first.handle(hub.peer, { type: "spawn", ref: 1, spec: { ...spec, name: "late" } });
  await until(() => (existsSync(marker) ? true : undefined), "the session printed");
  // The hub goes before it acknowledged anything; then the host is stopped.
  first.disconnect(hub.peer);
  await first.shutdown();
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readFileSync(file, "utf8")).not.toContain("secret-token-1234");

  const second = daemon();
  second.restoreSaved();
  expect(existsSync(file)).toBe(false);
  const next = recordingHub();
  second.connect(next.peer);
  const hello = next.messages.find((m) => m.type === "hello");
  expect(hello?.type === "hello" && hello.sessions).toEqual([
    expect.objectContaining({ id: "s1", name: "late", running: false, command, cwd: dir }),
  ]);
  second.handle(next.peer, { type: "sync", sessions: { s1: 0 } });
  const exit = await until(
    () => next.messages.find((m) => m.type === "event" && m.event.type === "exit"),
    "the exit replayed",
  );
  expect(exit.type === "event" && exit.event.data).toMatchObject({ reason: HOST_STOPPED_REASON });
  expect(next.output()).toContain("printed-before-stop");

  // Stopped again before the hub stored it: saved again, not lost.
  second.disconnect(next.peer);
  await second.shutdown();
  expect(takeSavedSessions(file, logger).map((s) => s.spec.id)).toEqual(["s1"]);
});

it("stops once its connected hub acknowledged the ends, with nothing left to save", async () => {
  rmSync(file, { force: true });
  const host = daemon();
  // A hub that stores each exit it is sent and acknowledges it (and all before it) on its next
  // turn: after the host is done stopping its sessions, as a hub across a socket would be.
  const hub = recordingHub();
  const send = hub.peer.send.bind(hub.peer);
  hub.peer.send = (wire, onWritten) => {
    send(wire, onWritten);
    const last = hub.messages.at(-1);
    if (typeof wire === "string" && last?.type === "event" && last.event.type === "exit")
      setImmediate(() =>
        host.handle(hub.peer, { type: "ack", session: last.event.session, seq: last.event.seq }),
      );
  };
  host.connect(hub.peer);
  host.handle(hub.peer, { type: "sync", sessions: {} });
  const marker = join(dir, "printed-with-hub");
  const command = ["sh", "-c", `echo printed-with-hub; touch ${marker}; exec sleep 60`];
  const spec = { id: "s2", kind: "terminal", command, cwd: dir, env: {}, cols: 80, rows: 24, afterSeq: 0 };
  host.handle(hub.peer, { type: "spawn", ref: 1, spec: { ...spec, name: "linked" } });
  await until(() => (existsSync(marker) ? true : undefined), "the session printed");

  await host.shutdown();
  const exit = hub.messages.find((m) => m.type === "event" && m.event.type === "exit");
  expect(exit?.type === "event" && exit.event.data).toMatchObject({ reason: HOST_STOPPED_REASON });
  // The hub stored the end before the host went: a next host process has nothing to replay.
  expect(existsSync(file)).toBe(false);
});

it("drops a file it cannot read, so the next host starts all the same", () => {
  writeFileSync(file, '{"version": 99}');
  expect(takeSavedSessions(file, logger)).toEqual([]);
  expect(existsSync(file)).toBe(false);
});
