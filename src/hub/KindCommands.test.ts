import { describe, expect, it } from "vitest";
import type { SessionRecord } from "../protocol/session.js";
import type { HostLink, HostRequest, HostRequestOptions } from "./HostLink.js";
import { HubEvents } from "./HubEvents.js";
import { KindCommands, type KindCommandsOptions } from "./KindCommands.js";

const record = {
  id: "s1",
  name: "py",
  kind: "workspace",
  host: "local",
  status: "running",
  reason: null,
  exitCode: null,
} as unknown as SessionRecord;

interface Sent {
  message: HostRequest;
  options: HostRequestOptions | undefined;
  answer: (data: unknown) => void;
}

/** A host link whose requests wait until the test answers them. */
function fakeLink(): HostLink & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    host: undefined,
    protocol: undefined,
    isOpen: true,
    bufferedAmount: 0,
    send: () => undefined,
    request: (message, options) =>
      new Promise((resolve) => {
        sent.push({ message, options, answer: resolve });
      }),
    close: () => undefined,
    terminate: () => undefined,
    violation: () => undefined,
  };
}

function commands(link: HostLink): { kinds: KindCommands; bus: HubEvents } {
  const bus = new HubEvents();
  const options = {
    directory: { resolve: () => record, get: () => record },
    hosts: { require: () => link },
    bus,
  } as unknown as KindCommandsOptions;
  return { kinds: new KindCommands(options), bus };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("KindCommands: a long-running command", () => {
  it("goes to the host without a deadline; a quick verb keeps one", async () => {
    const link = fakeLink();
    const { kinds } = commands(link);
    void kinds.run("py", "eval", { code: "slow()" });
    void kinds.run("py", "stats", {});
    expect(link.sent.map((s) => [(s.message as { name: string }).name, s.options])).toEqual([
      ["eval", { longRunning: true }],
      ["stats", { longRunning: false }],
    ]);
  });

  it("fails when the session ends and the host has not answered by then", async () => {
    const link = fakeLink();
    const { kinds, bus } = commands(link);
    const answer = kinds.run("py", "eval", { code: "slow()" });
    bus.emit("exited", "s1");
    // The end is followed by a quick request down the same link; its reply means whatever the
    // host sent before has arrived.
    const barrier = link.sent[1];
    expect(barrier?.message.type).toBe("stats");
    barrier?.answer({});
    await expect(answer).rejects.toMatchObject({
      code: "session_exited",
      message:
        "session 'py' ended before 'eval' finished; `dispatch revive py` starts a fresh kernel (`--replay` re-runs the cells that succeeded)",
    });
  });

  it("keeps the host's answer when it arrives before the reply that follows the end", async () => {
    const link = fakeLink();
    const { kinds, bus } = commands(link);
    const answer = kinds.run("py", "eval", { code: "slow()" });
    bus.emit("exited", "s1");
    link.sent[0]?.answer({ status: "aborted" });
    await nextTurn();
    link.sent[1]?.answer({});
    await expect(answer).resolves.toEqual({ status: "aborted" });
  });
});
