import { afterEach, describe, expect, it, vi } from "vitest";
import { DispatchError } from "../core/errors.js";
import { INTERRUPT_FRESH_MS } from "../core/staleInterrupt.js";
import type { ClientSocket } from "./ClientSocket.js";
import { InputOutbox } from "./InputOutbox.js";
import { inputHoldMs, MAX_WAITING_CHARS } from "./outboxLimits.js";

describe("DISPATCH_INPUT_HOLD_MS", () => {
  it("defaults to a minute, takes milliseconds, and says what to give when it is not a number", () => {
    expect(inputHoldMs({})).toBe(60_000);
    expect(inputHoldMs({ DISPATCH_INPUT_HOLD_MS: " 2000 " })).toBe(2000);
    expect(() => inputHoldMs({ DISPATCH_INPUT_HOLD_MS: "2s" })).toThrow(
      "invalid DISPATCH_INPUT_HOLD_MS '2s': use milliseconds (0 or more)",
    );
  });
});

/** A connection that records the inputs sent over it and acknowledges each at once. */
function fakeSocket(open: boolean): { socket: ClientSocket; sent: string[] } {
  const sent: string[] = [];
  const socket = {
    isOpen: open,
    request(message: { data: string }) {
      sent.push(message.data);
      return Promise.resolve({});
    },
    onMessage: () => () => undefined,
    onOutput: () => () => undefined,
    close: () => Promise.resolve(),
  };
  return { socket: socket as unknown as ClientSocket, sent };
}

function outbox(): { box: InputOutbox; refusals: string[] } {
  const refusals: string[] = [];
  const box = new InputOutbox({ refused: (err) => refusals.push(err.message), holding: () => undefined });
  return { box, refusals };
}

describe("InputOutbox while the hub is away", () => {
  it("keeps 16 Mi characters, drops the input over it and everything after until the hub is back, saying so once", () => {
    const { box, refusals } = outbox();
    const gone = fakeSocket(false);
    const kept = "a".repeat(MAX_WAITING_CHARS - 10);
    box.send(gone.socket, "s", kept);
    box.send(gone.socket, "s", "b".repeat(11));
    // Short enough to fit, but typed after a drop: sent, it would leave a hole in what was typed.
    box.send(gone.socket, "s", "c");
    expect(refusals).toEqual([
      "the hub is not reachable right now: more than 16 Mi characters typed meanwhile, so these and the keys after them until it is back were dropped; type them again once it is back",
    ]);

    const back = fakeSocket(true);
    box.resend(back.socket);
    // In pieces that each fit in a message, in order.
    expect(back.sent.join("")).toBe(kept);
    box.send(back.socket, "s", "d");
    expect(back.sent.at(-1)).toBe("d");
    expect(back.sent.join("")).toBe(`${kept}d`);
    expect(refusals).toHaveLength(1);
  });

  it("does not bound what goes straight to a connected hub: a paste of megabytes goes in pieces", () => {
    const { box, refusals } = outbox();
    const hub = fakeSocket(true);
    const paste = "p".repeat(3 * 1024 * 1024);
    box.send(hub.socket, "s", paste);
    expect(refusals).toEqual([]);
    expect(hub.sent.length).toBeGreaterThan(1);
    expect(hub.sent.join("")).toBe(paste);
  });
});

describe("InputOutbox: an interrupt typed while the hub is away", () => {
  afterEach(() => vi.restoreAllMocks());

  /** Types `sleep 600`, Ctrl-C and `ls` while the hub is away, then it is back `awayMs` later. */
  function typedAway(awayMs: number): { sent: string[]; refusals: string[] } {
    const now = vi.spyOn(Date, "now").mockReturnValue(1_000_000);
    const { box, refusals } = outbox();
    const gone = fakeSocket(false);
    box.send(gone.socket, "s", "sleep 600\r");
    box.send(gone.socket, "s", "\x03");
    box.send(gone.socket, "s", "ls\r");
    now.mockReturnValue(1_000_000 + awayMs);
    const back = fakeSocket(true);
    box.resend(back.socket);
    box.send(back.socket, "s", "pwd\r");
    return { sent: back.sent, refusals };
  }

  it("goes in order with the keys around it when the hub is back within a few seconds", () => {
    const { sent, refusals } = typedAway(INTERRUPT_FRESH_MS);
    expect(sent).toEqual(["sleep 600\r", "\x03", "ls\r", "pwd\r"]);
    expect(refusals).toEqual([]);
  });

  it("is dropped, with the keys typed after it, once it waited longer: it could stop a later command", () => {
    const { sent, refusals } = typedAway(INTERRUPT_FRESH_MS + 2_000);
    // What came before it goes; what is typed once the hub is back goes as typed.
    expect(sent).toEqual(["sleep 600\r", "pwd\r"]);
    expect(refusals).toEqual([
      "Ctrl-C typed 7 s ago, while the session could not be reached, was dropped with the keys after it: what it was meant to stop may have ended; look at the screen and type again",
    ]);
  });
});

describe("InputOutbox: an interrupt held while the session's host is away", () => {
  afterEach(() => vi.useRealTimers());

  it("is dropped once it waited past a few seconds, when the host is back; what was held before it goes", async () => {
    vi.useFakeTimers();
    let hostAway = true;
    const sent: string[] = [];
    const socket = {
      isOpen: true,
      request(message: { data: string }) {
        if (hostAway)
          return Promise.reject(new DispatchError("host_unavailable", "host 'h2' is not connected"));
        sent.push(message.data);
        return Promise.resolve({});
      },
      onMessage: () => () => undefined,
      onOutput: () => () => undefined,
      close: () => Promise.resolve(),
    } as unknown as ClientSocket;
    const { box, refusals } = outbox();
    box.send(socket, "s", "sleep 600\r");
    await vi.advanceTimersByTimeAsync(0);
    box.send(socket, "s", "\x03");
    box.send(socket, "s", "ls\r");
    await vi.advanceTimersByTimeAsync(INTERRUPT_FRESH_MS + 1_000);
    hostAway = false;
    await vi.advanceTimersByTimeAsync(3_000);
    expect(sent).toEqual(["sleep 600\r"]);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(
      /^Ctrl-C typed \d+ s ago, while the session could not be reached, was dropped/,
    );
    box.send(socket, "s", "pwd\r");
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(["sleep 600\r", "pwd\r"]);
  });
});
