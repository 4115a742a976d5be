/**
 * Parts of the attached client (`src/cli/attached/`) driven against a real hub over real
 * sockets, in orders a person at a terminal cannot produce on purpose: a switch overtaken by
 * another before it was answered, a resume over a new connection while a switch is unanswered,
 * a rename answered after a switch, the client ending while its first connection is being set
 * up. Each part gets a terminal that is no TTY, so what it would draw is captured instead.
 */
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SessionEnd } from "../src/cli/attached/SessionView.js";
import { SessionView } from "../src/cli/attached/SessionView.js";
import { type ClientEnd, TerminalClient } from "../src/cli/attached/TerminalClient.js";
import type { ClientSocket } from "../src/cli/ClientSocket.js";
import { HubClient } from "../src/cli/HubClient.js";
import { SeenState } from "../src/cli/seenState.js";
import { capturedTerminal } from "./capturedTerminal.js";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";

let hub: HubHandle;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  hub = await startHub();
  await shellSession("parts-a", "a-marker");
  await shellSession("parts-b", "b-marker");
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});

afterAll(async () => {
  await cleanupAll();
});

/** A shell printing `MARKER-42`, made over the protocol (quicker than the CLI on a loaded box). */
async function shellSession(name: string, marker: string): Promise<void> {
  const setup = await socket();
  const created = await setup.create({ name, command: ["/bin/sh"], cwd: hub.home });
  setup.input(created.id, `echo ${marker}-$((40+2))\r`);
  await waitFor(async () => (await storedOutput(hub, name)).includes(`${marker}-42`), {
    message: `${name} ready`,
  });
}

async function socket(): Promise<ClientSocket> {
  const opened = await hub.socket();
  sockets.push(opened);
  return opened;
}

/** A `SessionView` on a terminal that is no TTY (no size, no status bar): what it draws is kept. */
function sessionView(): { view: SessionView; drawn(): string; ended: SessionEnd[] } {
  const seen = new SeenState(join(hub.home, "seen-parts.json"));
  const { terminal, bar, drawn } = capturedTerminal(seen);
  const ended: SessionEnd[] = [];
  const view = new SessionView({
    terminal,
    seen,
    bar,
    covered: () => false,
    events: { ended: (end) => ended.push(end), closed: () => undefined },
  });
  return { view, drawn, ended };
}

/** How many clients the hub has attached to `name` (what `dispatch who` shows). */
async function clientsOn(name: string): Promise<number> {
  const response = await hub.api(`/api/sessions/${name}/presence`);
  expect(response.ok).toBe(true);
  const { presence } = (await response.json()) as { presence: { clients: number }[] };
  return presence.reduce((sum, entry) => sum + entry.clients, 0);
}

describe("SessionView", () => {
  // First: no other test's connection has been attached yet (presence counts them all).
  it("leaves no attachment behind for a switch overtaken by another before it was answered", async () => {
    const { view } = sessionView();
    const connection = await socket();
    await view.switchTo(connection, "parts-a");

    // In one tick, as fast keys can: to parts-b, then back to parts-a before parts-b answered.
    const toB = view.switchTo(connection, "parts-b");
    const backToA = view.switchTo(connection, "parts-a");
    await Promise.all([toB, backToA]);
    // A request after them is answered once the hub has handled what the view sent before it.
    await connection.list();
    // `dispatch who parts-b`: nobody (the hub would stream parts-b here and count this size).
    expect(await clientsOn("parts-b")).toBe(0);
    expect(view.current?.name).toBe("parts-a");
    expect(await clientsOn("parts-a")).toBe(1);

    // Asked twice before the first is answered, a switch to one session keeps it attached.
    const once = view.switchTo(connection, "parts-b");
    const twice = view.switchTo(connection, "parts-b");
    await Promise.all([once, twice]);
    await connection.list();
    expect(view.current?.name).toBe("parts-b");
    expect(await clientsOn("parts-b")).toBe(1);
    expect(await clientsOn("parts-a")).toBe(0);

    // The picker (`leave`) overtakes a switch the same way.
    const toA = view.switchTo(connection, "parts-a");
    view.leave(connection);
    await toA;
    await connection.list();
    expect(await clientsOn("parts-a")).toBe(0);
    expect(await clientsOn("parts-b")).toBe(0);
  });

  it("keeps the session shown when a rename asked before a switch is answered after it", async () => {
    const { view } = sessionView();
    const connection = await socket();
    await view.switchTo(connection, "parts-a");
    const a = view.current;
    expect(a?.name).toBe("parts-a");

    // The client's order: the switch sent, the rename of the session still shown sent, the
    // switch answered, then the rename's answer handed to the view.
    const switching = view.switchTo(connection, "parts-b");
    const renaming = connection.rename(a?.id as string, "parts-a2");
    await switching;
    view.renamed(await renaming);

    expect(view.current?.name).toBe("parts-b");
    // The shown session's own rename is taken.
    const b = view.current?.id as string;
    view.renamed(await connection.rename(b, "parts-b2"));
    expect(view.current?.name).toBe("parts-b2");
    view.leave(connection);
    await connection.rename(b, "parts-b");
    await connection.rename(a?.id as string, "parts-a");
  });

  it("streams the session shown again when a switch away from it fails", async () => {
    const { view, drawn } = sessionView();
    const connection = await socket();
    await view.switchTo(connection, "parts-a");
    await expect(view.switchTo(connection, "parts-gone")).rejects.toThrow(/parts-gone/);
    // The screen still shows parts-a, and keys still go to it: what it prints next is drawn.
    expect(view.current?.name).toBe("parts-a");
    connection.input(view.current?.id as string, "echo still-$((6*7))\r");
    await waitFor(() => drawn().includes("still-42"), { message: "parts-a's new output drawn" });
    view.leave(connection);
  });

  it("streams the session shown again when a switch that overtook another fails", async () => {
    const { view, drawn } = sessionView();
    const connection = await socket();
    await view.switchTo(connection, "parts-a");
    // In one tick: to parts-b, then to a session that is gone before parts-b answered. Neither
    // drew anything, so the screen still shows parts-a.
    const toB = view.switchTo(connection, "parts-b");
    const toGone = view.switchTo(connection, "parts-gone");
    await toB;
    await expect(toGone).rejects.toThrow(/parts-gone/);
    expect(view.current?.name).toBe("parts-a");
    expect(view.seq).toBeDefined();
    connection.input(view.current?.id as string, "echo again-$((6*7))\r");
    await waitFor(() => drawn().includes("again-42"), { message: "parts-a's new output drawn" });
    view.leave(connection);
  });

  it("resumed over a new connection while a switch is unanswered, shows the switched-to session's own stream", async () => {
    const { view, drawn } = sessionView();
    const first = await socket();
    const second = await socket();
    await view.switchTo(first, "parts-a");

    // In one tick, as a resume can find it: the switch to parts-b sent and not answered yet.
    const switching = view.switchTo(first, "parts-b");
    const reattaching = view.reattach(second);
    const reattached = await reattaching;
    await switching;
    reattached.adopt();

    expect(view.current?.name).toBe("parts-b");
    // What parts-b prints next shows: the stream kept is parts-b's, not parts-a's resumed
    // from parts-b's seq.
    first.input(view.current?.id as string, "echo after-$((6*7))\r");
    await waitFor(() => drawn().includes("after-42"), { message: "parts-b's new output drawn" });
    const lastSeqOfB = async () => (await first.list()).find((s) => s.name === "parts-b")?.lastSeq;
    await waitFor(async () => view.seq === (await lastSeqOfB()), { message: "parts-b's seq shown" });
    view.leave(first);
  });
});

describe("TerminalClient start", () => {
  /**
   * Runs a client whose connection calls `during` at the named step (the real hub answers in
   * milliseconds, so a signal cannot be timed into that window from outside): `during` may end
   * the client and wait for its teardown before the step carries on.
   */
  function clientWith(step: "connect" | "list", during: () => Promise<void>) {
    const hubClient = HubClient.locate(hub.env);
    const connect = hubClient.connect.bind(hubClient);
    let opened: ClientSocket | undefined;
    let stepDone!: () => void;
    const stepped = new Promise<void>((resolve) => {
      stepDone = resolve;
    });
    hubClient.connect = async (name) => {
      const connected = await connect(name);
      opened = connected;
      sockets.push(connected);
      if (step === "connect") {
        await during();
        stepDone();
        return connected;
      }
      const list = connected.list.bind(connected);
      connected.list = async () => {
        const sessions = await list();
        await during();
        stepDone();
        return sessions;
      };
      return connected;
    };
    const client = new TerminalClient({
      hub: hubClient,
      settings: { prefixKey: "ctrl-]", detachKey: "ctrl-\\", statusBar: false, defaults: {} },
      detachKey: undefined,
      prefixKey: undefined,
      statusBar: false,
      create: () => Promise.reject(new Error("no sessions are created here")),
      relocate: () => hubClient,
    });
    return { client, stepped, socket: () => opened };
  }

  /** Runs `client` to its end by SIGINT at a step of its start (Ctrl-C before the terminal is raw). */
  async function interrupted(step: "connect" | "list") {
    const before = new Set(process.listeners("SIGINT"));
    const keyboard = new Set(process.stdin.listeners("data"));
    const resize = new Set(process.stdout.listeners("resize"));
    let ran: Promise<ClientEnd> | undefined;
    const run = clientWith(step, async () => {
      // The client's own SIGINT handler, called as the signal would call it.
      const handler = process.listeners("SIGINT").find((listener) => !before.has(listener));
      handler?.("SIGINT");
      await ran;
    });
    ran = run.client.run({ attach: "parts-a" });
    try {
      expect(await ran).toEqual({ reason: "signal", signal: "SIGINT" });
      await run.stepped;
      // The start carries on in the promise jobs after the step: they have all run by the next turn.
      await new Promise((resolve) => setImmediate(resolve));
      return {
        socket: run.socket(),
        keyboard: process.stdin.listeners("data").filter((listener) => !keyboard.has(listener)),
        resize: process.stdout.listeners("resize").filter((listener) => !resize.has(listener)),
      };
    } finally {
      // Whatever the client left behind (a failure of this test) does not outlive it.
      for (const listener of process.stdin.listeners("data"))
        if (!keyboard.has(listener)) process.stdin.off("data", listener as () => void);
      for (const listener of process.stdout.listeners("resize"))
        if (!resize.has(listener)) process.stdout.off("resize", listener as () => void);
      process.stdin.pause();
    }
  }

  it("ended while the session list loads, takes no keyboard or resize listener after its teardown", async () => {
    const left = await interrupted("list");
    expect(left.keyboard).toEqual([]);
    expect(left.resize).toEqual([]);
  });

  it("ended while connecting, closes the connection it opens after its teardown", async () => {
    const left = await interrupted("connect");
    await waitFor(() => left.socket && !left.socket.isOpen, { message: "the late connection closed" });
    expect(left.keyboard).toEqual([]);
  });
});
