/**
 * A program listening where the CLI looks for its hub (the fallback port, a stale `hub.json`'s
 * port) that answers like a hub would and accepts WebSockets, recording what it is sent: the
 * key-proof tests check it learns nothing that opens the real hub.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import WebSocket, { WebSocketServer } from "ws";

export interface Rogue {
  url: string;
  port: number;
  /** Every request's method, target and headers (an upgrade as `UPGRADE`), in order. */
  requests: { method: string; url: string; headers: IncomingHttpHeaders }[];
  /** Every WebSocket message it was sent. */
  messages: string[];
  close(): Promise<void>;
}

/**
 * Starts one on `port` (0: any free one) of 127.0.0.1. `refuseUpgrades`: it answers every
 * WebSocket upgrade `401 Unauthorized` (as a hub refusing a token does) instead of opening it.
 */
export async function startRogue(port = 0, options: { refuseUpgrades?: boolean } = {}): Promise<Rogue> {
  const requests: Rogue["requests"] = [];
  const messages: string[] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
    response.setHeader("content-type", "application/json");
    response.end(request.url === "/api/health" ? '{"ok":true,"version":"0"}' : '{"sessions":[]}');
  });
  const wss = new WebSocketServer(options.refuseUpgrades ? { noServer: true } : { server });
  if (options.refuseUpgrades) {
    server.on("upgrade", (request, socket) => {
      requests.push({ method: "UPGRADE", url: request.url ?? "", headers: request.headers });
      socket.on("error", () => undefined);
      socket.end(
        "HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nunknown or revoked host token\n",
      );
    });
  }
  wss.on("connection", (ws, request) => {
    requests.push({ method: "UPGRADE", url: request.url ?? "", headers: request.headers });
    ws.on("message", (data) => messages.push(String(data)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests,
    messages,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The rogue learnt nothing that opens the hub at `hubUrl`: no secret, nor its SHA-256 (a
 * token's proof key is derived from that), and no header it saw works there.
 */
export async function nothingLeaked(rogue: Rogue, hubUrl: string, secrets: string[]): Promise<void> {
  const authorized = rogue.requests.filter((r) => r.headers.authorization !== undefined);
  expect(authorized.length).toBeGreaterThan(0);
  const hashes = secrets.map((secret) => createHash("sha256").update(secret).digest("hex"));
  for (const { method, url, headers } of rogue.requests) {
    for (const secret of [...secrets, ...hashes]) expect(JSON.stringify(headers)).not.toContain(secret);
    const { authorization } = headers;
    if (authorization === undefined) continue;
    const status =
      method === "UPGRADE"
        ? await upgradeStatus(hubUrl, url, authorization)
        : (await fetch(`${hubUrl}${url}`, { method, headers: { authorization } })).status;
    // 401, or 400 where the hub tells a clock problem apart (`/host`: a proof made before it started).
    expect([400, 401], `${method} ${url} replayed: HTTP ${status}`).toContain(status);
  }
  for (const secret of [...secrets, ...hashes]) expect(rogue.messages.join("\n")).not.toContain(secret);
}

/** The status a WebSocket upgrade to `hubUrl` + `path` with this `Authorization` is answered with (101: opened). */
function upgradeStatus(hubUrl: string, path: string, authorization: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${hubUrl.replace(/^http/, "ws")}${path}`, { headers: { authorization } });
    ws.once("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.once("unexpected-response", (_request, response) => {
      response.resume();
      ws.terminate();
      resolve(response.statusCode ?? 0);
    });
    // Settled already when the upgrade was answered; otherwise nothing answered at all.
    ws.once("error", () => resolve(0));
  });
}
