/**
 * Host requests forwarded to the node that holds the host, over a real peer socket: the
 * stand-in for that node's `/cluster/peer` endpoint hands each message to a real
 * `PeerRequests`, whose link to the host answers when the test says. A long-running request
 * (an evaluation) has no deadline on either node: it fails only when the peer goes away or the
 * host's lease leaves that node. The peer deadline is cut to 50 ms so that passing it is quick.
 * A reply as large as a host link carries is relayed whole; a message too large for the host
 * link is refused before the socket, which the owning node would close on it.
 */
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { waitFor } from "../../../test/harness.js";
import { DispatchError } from "../../core/errors.js";
import { MAX_PEER_MESSAGE_BYTES, PEER_ENDPOINT_PATH, PeerMessage } from "../../protocol/cluster.js";
import { MAX_HOST_MESSAGE_BYTES } from "../../protocol/host.js";
import type { HostLink, HostRequest, HostRequestOptions } from "../HostLink.js";
import type { SessionDirectory } from "../SessionDirectory.js";
import { PeerLinks } from "./PeerLinks.js";
import { encodePeerReply, PeerRequests } from "./PeerRequests.js";
import type { RecordSync } from "./RecordSync.js";

/** A request as the owning node's host link got it, to be answered by the test. */
interface HostCall {
  message: HostRequest;
  options: HostRequestOptions | undefined;
  answer(data: unknown): void;
}

let server: WebSocketServer;
let peers: PeerLinks;
let nodeUrl: string;
let hostCalls: HostCall[];
let peerSockets: WebSocket[];

beforeEach(async () => {
  hostCalls = [];
  peerSockets = [];
  const hostLink = {
    request: (message: HostRequest, options?: HostRequestOptions) =>
      new Promise((answer) => hostCalls.push({ message, options, answer })),
  } as HostLink;
  const requests = new PeerRequests({
    hosts: { link: () => hostLink, require: () => hostLink },
    // Every session is known on the owning node: nothing to reload first.
    directory: { get: () => ({}) } as unknown as SessionDirectory,
    records: { reload: () => undefined } as unknown as RecordSync,
    logger: pino({ level: "silent" }),
  });
  server = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    path: PEER_ENDPOINT_PATH,
    maxPayload: MAX_PEER_MESSAGE_BYTES,
  });
  server.on("connection", (socket) => {
    peerSockets.push(socket);
    socket.on("error", () => undefined); // As the endpoint: a message too large closes this socket.
    socket.on("message", async (data) => {
      const reply = await requests.handle(PeerMessage.parse(JSON.parse(String(data))));
      if (reply) socket.send(encodePeerReply(reply));
    });
  });
  await new Promise((resolve) => server.once("listening", resolve));
  nodeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  peers = new PeerLinks({ token: "peer", logger: pino({ level: "silent" }), requestTimeoutMs: 50 });
});

afterEach(async () => {
  peers.dispose();
  for (const socket of peerSockets) socket.terminate();
  await new Promise((resolve) => server.close(resolve));
});

const evaluation: HostRequest = { type: "command", session: "s1", name: "eval", args: { code: "1+1" } };
const stats: HostRequest = { type: "command", session: "s1", name: "stats", args: {} };

/** Whether `promise` has settled, once the callbacks already due have run. */
function tracked(promise: Promise<unknown>): { settled: boolean } {
  const state = { settled: false };
  promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

describe("a host request forwarded to the node holding the host", () => {
  it("waits past the peer deadline when long-running, on that node too; others keep it", async () => {
    const link = peers.link(nodeUrl, "gpu");
    const long = link.request(evaluation, { longRunning: true });
    const longState = tracked(long);
    await waitFor(() => hostCalls.length === 1, { message: "the evaluation reached the host link" });
    expect(hostCalls[0]?.options).toEqual({ longRunning: true });

    // Sent after the evaluation: its deadline passes after the evaluation's would have.
    const quick = link.request(stats);
    await expect(quick).rejects.toThrow(`host 'gpu' (via the hub node at ${nodeUrl}) did not answer in time`);
    expect(longState.settled).toBe(false);
    await waitFor(() => hostCalls.length === 2, { message: "the stats request reached the host link" });
    expect(hostCalls[1]?.options).toEqual({ longRunning: false });

    hostCalls[0]?.answer({ status: "ok", value: 2 });
    expect(await long).toEqual({ status: "ok", value: 2 });
  });

  it("fails a long-running one when the host's lease leaves that node, or the node goes away", async () => {
    const link = peers.link(nodeUrl, "gpu");
    const moved = link.request(evaluation, { longRunning: true });
    const stays = peers.link(nodeUrl, "cpu").request(evaluation, { longRunning: true });
    const staysState = tracked(stays);
    await waitFor(() => hostCalls.length === 2, { message: "both evaluations reached the host links" });

    // The node died or the host's link there ended: the lease is now held by none.
    peers.leaseMoved("gpu", undefined);
    await expect(moved).rejects.toThrow(`host 'gpu' is no longer linked to the hub node at ${nodeUrl}`);
    // Another host's lease is still there.
    expect(staysState.settled).toBe(false);

    for (const socket of peerSockets) socket.terminate();
    const gone = await stays.catch((err: unknown) => err);
    expect(gone).toBeInstanceOf(DispatchError);
    expect((gone as DispatchError).code).toBe("host_unavailable");
    expect((gone as DispatchError).message).toBe(`the hub node at ${nodeUrl} went away; try again shortly`);
  });
});

describe("messages near the host link's limit", () => {
  it("relays a host's reply just under the limit whole, and refuses a message over it; the socket and what waits on it carry on", async () => {
    const link = peers.link(nodeUrl, "gpu");
    const waiting = link.request(evaluation, { longRunning: true });
    const waitingState = tracked(waiting);
    await waitFor(() => hostCalls.length === 1, { message: "the evaluation reached the host link" });

    // The host's own reply `{"type":"reply","ref":N,"ok":true,"data":{"blob":"…"}}` is then about
    // 100 bytes under the host link's limit; the relay wraps it in its own envelope.
    const bytes = MAX_HOST_MESSAGE_BYTES - 160;
    const large = link.request(
      { type: "command", session: "s1", name: "blob", args: {} },
      { longRunning: true },
    );
    await waitFor(() => hostCalls.length === 2, { message: "the blob request reached the host link" });
    hostCalls[1]?.answer({ blob: "x".repeat(bytes) });
    expect(((await large) as { blob: string }).blob.length).toBe(bytes);

    const spawn: HostRequest = {
      type: "spawn",
      spec: {
        ...{ id: "s2", kind: "chat", command: [], cwd: "/", env: {}, cols: 80, rows: 24, afterSeq: 0 },
        options: { history: "x".repeat(9 * 1024 * 1024) },
      },
    };
    const refused = await link.request(spawn).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DispatchError);
    expect((refused as DispatchError).code).toBe("too_large");
    expect((refused as DispatchError).message).toMatch(
      /^The 'spawn' message for host 'gpu' is 9\.0 MiB, more than the 8\.0 MiB one message from the hub to a host may hold, so the hub did not send it/,
    );

    // The request sent before both still waits on the same socket, and gets its answer.
    expect(waitingState.settled).toBe(false);
    expect(peerSockets.length).toBe(1);
    hostCalls[0]?.answer({ status: "ok", value: 2 });
    expect(await waiting).toEqual({ status: "ok", value: 2 });
  });
});
