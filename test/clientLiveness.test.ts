/**
 * The hub pings its clients: one that stops answering (its network died without a word) is let
 * go, so it no longer shows as present on the session, while a client that answers stays.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type HubHandle, startHub, waitFor } from "./harness.js";

let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub({ env: { DISPATCH_CLIENT_PING: "2s" } });
});

afterAll(async () => {
  await hub?.stop();
});

/** A client attached to `session`; `answersPings: false` is one whose network is gone. */
async function attached(session: string, answersPings: boolean): Promise<WebSocket> {
  const socket = new WebSocket(`${hub.url.replace(/^http/, "ws")}/ws`, {
    headers: { authorization: `Bearer ${hub.key}` },
    autoPong: answersPings,
  });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const replies: Record<string, unknown>[] = [];
  socket.on("message", (raw, binary) => {
    if (!binary) replies.push(JSON.parse(raw.toString()) as Record<string, unknown>);
  });
  socket.send(JSON.stringify({ type: "hello", protocol: 1, ref: 1 }));
  socket.send(JSON.stringify({ type: "attach", session, afterSeq: 0, snapshot: false, ref: 2 }));
  await waitFor(() => replies.some((r) => r.ref === 2), { message: "attached" });
  return socket;
}

async function present(session: string): Promise<number> {
  const response = await hub.api(`/api/sessions/${session}/presence`);
  const { presence } = (await response.json()) as { presence: { clients: number }[] };
  return presence.reduce((sum, entry) => sum + entry.clients, 0);
}

it("drops a client that stopped answering pings, and keeps one that answers", async () => {
  const made = await hub.cli(["new", "--name", "watched", "--", "sleep", "600"]);
  expect(made.code, made.stderr).toBe(0);
  const live = await attached("watched", true);
  const silent = await attached("watched", false);
  // Whether both are seen present first depends on the machine's speed: the silent one may be
  // gone by then. What must hold: it goes, and the one that answers stays.
  await waitFor(() => silent.readyState === WebSocket.CLOSED, {
    timeoutMs: 20_000,
    message: "the silent client dropped",
  });
  await waitFor(async () => (await present("watched")) === 1, { message: "only the live client present" });
  // The live one answered every ping meanwhile (at least two periods have passed).
  expect(live.readyState).toBe(WebSocket.OPEN);
  live.close();
});
