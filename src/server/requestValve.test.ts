import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { waitFor } from "../../test/harness.js";
import { HOLD_ABOVE_BYTES, RequestValve } from "./requestValve.js";

/** Each request is answered with this much: a `list` of many sessions, say. */
const REPLY = "r".repeat(64 * 1024);
/** Enough requests that their replies are many times what the valve lets pile up. */
const REQUESTS = 300;

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A real server socket served through a valve, and a client whose reading can be paused. */
async function pair(): Promise<{ server: WebSocket; valve: RequestValve; client: WebSocket }> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise((resolve) => wss.once("listening", resolve));
  const accepted = new Promise<{ server: WebSocket; valve: RequestValve }>((resolve) =>
    wss.once("connection", (server) => {
      const valve = new RequestValve(server, (raw) => server.send(`${raw.toString()} ${REPLY}`));
      server.on("message", (raw, isBinary) => valve.receive(raw as Buffer, isBinary));
      server.on("close", () => valve.dispose());
      resolve({ server, valve });
    }),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  closers.push(() => {
    client.terminate();
    for (const socket of wss.clients) socket.terminate();
    wss.close();
  });
  await new Promise((resolve) => client.once("open", resolve));
  return { ...(await accepted), client };
}

describe("RequestValve", () => {
  it("stops reading a client that does not read its replies, then answers every request in order", async () => {
    const { server, valve, client } = await pair();
    const answered: number[] = [];
    client.on("message", (data) => answered.push(Number(data.toString().split(" ")[0])));
    // The client stops reading and keeps asking.
    (client as unknown as { _socket: Socket })._socket.pause();
    for (let i = 0; i < REQUESTS; i++) client.send(String(i));

    // Held (the server stops reading), or, unheld, replies piling up past what holding allows.
    await waitFor(() => server.isPaused || server.bufferedAmount > 2 * HOLD_ABOVE_BYTES);
    // What the hub keeps for it stays near the limit, not every reply asked for.
    expect(server.bufferedAmount).toBeLessThan(HOLD_ABOVE_BYTES + 2 * REPLY.length);
    expect(valve.holding).toBe(true);

    (client as unknown as { _socket: Socket })._socket.resume();
    await waitFor(() => answered.length === REQUESTS, { timeoutMs: 30_000 });
    expect(answered).toEqual([...Array(REQUESTS).keys()]);
    expect(valve.holding).toBe(false);
    expect(server.isPaused).toBe(false);
  });
});
