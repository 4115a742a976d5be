/**
 * The holes found when the hub was attacked, each tried again on a real hub and refused:
 * lockout of the right key, unthrottled WebSocket guessing, sockets that never authenticate,
 * DNS rebinding through the Host header, cookies without Secure, and healthy hosts locked
 * out by a noisy neighbour.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { WireClient } from "./wire.js";

let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub({ env: { DISPATCH_KEY: "holes-test-key-1234567" } });
});

afterAll(async () => {
  await cleanupAll();
});

/** A WebSocket upgrade to `path` with these headers: the HTTP status it got (101 when opened). */
function upgrade(url: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url.replace(/^http/, "ws") + path, { headers });
    socket.once("open", () => {
      socket.close();
      resolve(101);
    });
    socket.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    socket.once("error", () => resolve(0));
  });
}

async function login(key: string, url = hub.url): Promise<Response> {
  return fetch(`${url}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key }),
  });
}

describe("guessing", () => {
  it("counts WebSocket guesses in the same limiter, refuses floods unchecked, never refuses the right key", async () => {
    // Wrong keys at the upgrade: each refused, each counted.
    const statuses = await Promise.all(
      Array.from({ length: 6 }, (_, i) => upgrade(hub.url, "/ws", { authorization: `Bearer guess-${i}` })),
    );
    expect(statuses.every((s) => s === 401)).toBe(true);
    // The REST answer now says the address is being slowed: one limiter for every way in.
    const slowed = await login("wrong");
    expect(slowed.status).toBe(401);
    expect(((await slowed.json()) as { error: { message: string } }).error.message).toMatch(
      /7 failed attempts from .* slowed/,
    );
    // A flood of parallel guesses: beyond the failures held at once, refused without a check.
    const flood = await Promise.all(
      Array.from({ length: 40 }, (_, i) => upgrade(hub.url, "/ws", { authorization: `Bearer flood-${i}` })),
    );
    expect(flood.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(flood.every((s) => s === 401 || s === 429)).toBe(true);
    // The right key gets in, over REST, the upgrade and hello. While the flood's failures are
    // still held (2 s at most), attempts from that address wait their turn; none is locked out.
    await waitFor(async () => (await login(hub.key)).status === 200);
    expect(await upgrade(hub.url, "/ws", { authorization: `Bearer ${hub.key}` })).toBe(101);
    const c = await WireClient.open(hub.url);
    expect((await c.request({ type: "hello", protocol: 1, key: hub.key })).type).toBe("welcome");
    await c.close();
  });

  it("lets a host with a valid token in, however many bad host tokens came from its address", async () => {
    const created = await hub.api("/api/hosts/neighbour/token", { method: "POST", body: "{}" });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const bad = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        upgrade(hub.url, "/host", { authorization: `Bearer bad-host-${i}` }),
      ),
    );
    expect(bad.every((s) => s === 401 || s === 429)).toBe(true);
    expect(await upgrade(hub.url, "/host", { authorization: `Bearer ${token}` })).toBe(101);
  });
});

describe("bodies that are not JSON", () => {
  it("names the content type it refused and what to send", async () => {
    const res = await fetch(`${hub.url}/api/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${hub.key}`, "content-type": "application/x-www-form-urlencoded" },
      body: "name=x",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      "a body of content-type 'application/x-www-form-urlencoded' is not accepted; send JSON with `content-type: application/json`",
    );
  });
});

describe("addresses the hub cannot take", () => {
  /** Sends `head` as it is over a plain socket and reads the whole answer (the hub closes after it). */
  function raw(head: string): Promise<string> {
    const { port } = new URL(hub.url);
    return new Promise((resolve) => {
      const socket = connect(Number(port), "127.0.0.1");
      let answer = "";
      socket.on("data", (chunk) => {
        answer += chunk.toString();
      });
      socket.on("error", () => {
        // Reset once answered: what arrived is the answer.
      });
      socket.on("close", () => resolve(answer));
      socket.on("connect", () => socket.write(head));
    });
  }

  it("says an address is too long, not 'Forbidden'", async () => {
    const res = await fetch(`${hub.url}/${"a".repeat(300)}`, {
      headers: { authorization: `Bearer ${hub.key}` },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^no page at '\/a{99}…': the address is 301 characters long, longer than any of the hub's; check the link$/,
    );
  });

  it("says what is wrong with an address that has an empty part", async () => {
    const res = await fetch(`${hub.url}//api/sessions`, { headers: { authorization: `Bearer ${hub.key}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      "'//api/sessions' has an empty, '.' or '..' part; ask for the address without them (no '//')",
    );
  });

  it("answers headers over Node's limit with what to shorten", async () => {
    const answer = await raw(
      `GET /api/search?q=${"x".repeat(17_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${hub.key}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as { error: { message: string } };
    expect(body.error.message).toBe(
      "the request's address and headers are over 16384 bytes together; shorten the address (its query string) or clear this site's cookies",
    );
  });
});

/**
 * The suites below run side by side: two of their tests wait out the hub's 5 s timeouts (a
 * missing hello, unfinished headers) and two start hubs of their own, none of which touches
 * another's state, nor the address limiter the guessing tests above fill.
 */
describe.concurrent("sockets that never authenticate", () => {
  it("answers an unknown upgrade path with 404", async () => {
    expect(await upgrade(hub.url, "/nowhere", {})).toBe(404);
  });

  it("closes a /ws socket that never says hello", async () => {
    const c = await WireClient.open(hub.url);
    const code = await new Promise<number>((resolve) =>
      c.socket.once("close", (closeCode) => resolve(closeCode)),
    );
    expect(code).toBe(4408);
  });

  it("closes a connection whose headers never finish", async () => {
    const { port } = new URL(hub.url);
    const socket = connect(Number(port), "127.0.0.1");
    let closed = false;
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString();
    });
    socket.on("close", () => {
      closed = true;
    });
    socket.on("error", () => {
      // Reset by the server: also closed.
    });
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    await waitFor(() => closed, { timeoutMs: 15_000 });
    expect(answer).toMatch(/^HTTP\/1\.1 408|^$/);
  });
});

describe.concurrent("Host header (DNS rebinding)", () => {
  it("refuses requests and upgrades naming another host", async () => {
    const { port } = new URL(hub.url);
    const status = await new Promise<number>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(`GET /api/health HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`);
      });
      let data = "";
      socket.on("data", (chunk) => {
        data += chunk.toString();
      });
      socket.on("end", () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0)));
      socket.on("error", reject);
    });
    expect(status).toBe(403);
    expect(
      await upgrade(hub.url, "/ws", { host: `evil.example:${port}`, authorization: `Bearer ${hub.key}` }),
    ).toBe(403);
    // The loopback names pass.
    expect((await fetch(`${hub.url}/api/health`)).status).toBe(200);
    expect(
      await upgrade(hub.url, "/ws", { host: `localhost:${port}`, authorization: `Bearer ${hub.key}` }),
    ).toBe(101);
  });
});

describe.concurrent("Secure cookies", () => {
  it("marks the login cookie Secure behind a declared proxy", async () => {
    const proxied = await startHub({
      env: { DISPATCH_KEY: "proxied-key-123456789", DISPATCH_TRUST_PROXY: "1" },
    });
    const res = await login(proxied.key, proxied.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/; Secure/);
    // Without the declaration, no Secure (plain HTTP on loopback).
    const plain = await login(hub.key);
    expect(plain.headers.get("set-cookie")).not.toMatch(/Secure/);
    await proxied.stop();
  });

  it("serves HTTPS with --tls-cert/--tls-key and marks the cookie Secure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dispatch-tls-"));
    try {
      const cert = join(dir, "cert.pem");
      const key = join(dir, "key.pem");
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          // An EC key: made at once, where RSA's prime search takes a busy machine a second.
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-nodes",
          "-keyout",
          key,
          "-out",
          cert,
          "-days",
          "1",
          "-subj",
          "/CN=127.0.0.1",
        ],
        { stdio: "ignore" },
      );
      const tls = await startHub({
        env: {
          DISPATCH_KEY: "tls-key-1234567890123",
          DISPATCH_TLS_CERT: cert,
          DISPATCH_TLS_KEY: key,
          // The CLI's own health check must accept the test's self-signed certificate.
          NODE_TLS_REJECT_UNAUTHORIZED: "0",
        },
      });
      expect(tls.url.startsWith("https://")).toBe(true);
      const cookie = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
          `${tls.url}/api/login`,
          { method: "POST", rejectUnauthorized: false, headers: { "content-type": "application/json" } },
          (res) => {
            res.resume();
            resolve(String(res.headers["set-cookie"] ?? ""));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ key: tls.key }));
      });
      expect(cookie).toMatch(/dispatch_session=.*; Secure/);
      await tls.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
