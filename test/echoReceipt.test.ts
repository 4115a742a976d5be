/**
 * A key's receipt leaves with its echo (`hub/EchoReceipts.ts`): the hub used to answer an
 * input at once, a moment before the echo, so every key was two writes to the client and two
 * wakes of it. Observed as a client sees it: the receipt comes after the echo (in the same
 * write), where before it always came first (the echo needs a round trip to the host).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientSocket } from "../src/cli/ClientSocket.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

let hub: HubHandle;
let socket: ClientSocket;

beforeAll(async () => {
  hub = await startHub();
  socket = await hub.socket();
}, 60_000);

afterAll(async () => {
  await cleanupAll();
});

describe("an input's receipt", () => {
  it("comes with the key's echo, not before it", async () => {
    const session = await socket.create({ name: "echo", command: ["sh", "-c", "stty raw -echo; exec cat"] });
    let seen = "";
    socket.onOutput((frame) => {
      if (frame.session === session.id) seen += new TextDecoder().decode(frame.data);
    });
    await socket.attach(session.id);
    // `cat` is reading on a raw terminal once a key comes back.
    await waitFor(
      async () => {
        await socket.request({ type: "input", session: session.id, data: "." });
        return seen.includes(".");
      },
      { message: "cat to echo" },
    );
    // Each key alone, as typed. A receipt held past its echo on a loaded machine (the hold is
    // bounded) still comes; one key of five coming after its echo is enough, none did before.
    let after = 0;
    for (const key of "abcde") {
      await socket.request({ type: "input", session: session.id, data: key });
      if (seen.includes(key)) after++;
    }
    expect(after).toBeGreaterThan(0);
  });
});
