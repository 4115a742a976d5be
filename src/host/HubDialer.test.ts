/**
 * The dialer against small real HTTP servers answering the `/host` upgrade as a hub would: a
 * refused token (401) stops it for good and is reported once; everything else (5xx, 429, no
 * answer at all) is passing and dialed again. A server that opens the socket without proving it
 * knows the token is no hub: the daemon never gets the socket, and the dialer dials again. So is
 * one that answers 401 without that proof once a link worked: it stops only a dialer that never
 * linked (a mistyped token, which no hub can prove it knows).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocketServer } from "ws";
import { waitFor } from "../../test/harness.js";
import { HUB_PROOF_HEADER, hubProof, parseProofHeader, tokenProofKey } from "../platform/keyProof.js";
import type { HostDaemon } from "./HostDaemon.js";
import { HubDialer, type HubRefusal } from "./HubDialer.js";

/**
 * What a fake hub does with the n-th upgrade it gets (0-based): answer with that status (a 401
 * proving it knows the token, as a hub refusing a token it revoked does), open the socket proving
 * it knows the token as a hub does, open it without that proof, or answer 401 without it.
 */
type Answer = number | "accept" | "unproven" | "unproven 401";

interface FakeHub {
  url: string;
  /** Upgrades received so far. */
  attempts: number;
  /** The `Authorization` of each upgrade, in order. */
  authorizations: (string | undefined)[];
}

const TOKEN = "dsh_test";
const servers: Server[] = [];
const dialers: HubDialer[] = [];
/** Links the daemon was handed. */
let linked = 0;

/** A daemon that takes a link and ignores it: these tests are about dialing, not the protocol. */
const idleDaemon = {
  connect: () => {
    linked++;
  },
  disconnect: () => undefined,
  handle: () => undefined,
  refuseRequest: () => undefined,
} as unknown as HostDaemon;

async function fakeHub(answer: (attempt: number) => Answer): Promise<FakeHub> {
  const server = createServer();
  servers.push(server);
  const wss = new WebSocketServer({ noServer: true });
  const proven = new WeakSet<object>();
  wss.on("headers", (headers, request) => {
    const proof = parseProofHeader(request.headers.authorization);
    if (proof && proven.has(request))
      headers.push(`${HUB_PROOF_HEADER}: ${hubProof(tokenProofKey(TOKEN).key, proof)}`);
  });
  const hub: FakeHub = { url: "", attempts: 0, authorizations: [] };
  server.on("upgrade", (request, socket, head) => {
    // The dialer hangs up as soon as it has the answer: a reset here is expected, not a failure.
    socket.on("error", () => undefined);
    hub.authorizations.push(request.headers.authorization);
    const reply = answer(hub.attempts++);
    if (reply === "accept") proven.add(request);
    if (reply === "accept" || reply === "unproven") {
      // Linked: the hub speaks once (so the link counts as working), then drops it.
      wss.handleUpgrade(request, socket, head, (ws) =>
        ws.send(JSON.stringify({ type: "ping", t: 1 }), () => ws.terminate()),
      );
      return;
    }
    const proof = parseProofHeader(request.headers.authorization);
    const status = reply === "unproven 401" ? 401 : reply;
    const proven401 =
      reply === 401 && proof ? `${HUB_PROOF_HEADER}: ${hubProof(tokenProofKey(TOKEN).key, proof)}\r\n` : "";
    socket.end(`HTTP/1.1 ${status} Nope\r\n${proven401}connection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return hub;
}

/** A port nothing listens on: the dial fails with ECONNREFUSED, as with a hub that is down. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function dial(hubUrls: string[]): { refusals: HubRefusal[] } {
  const refusals: HubRefusal[] = [];
  const dialer = new HubDialer({
    hubUrls,
    token: TOKEN,
    daemon: idleDaemon,
    logger: pino({ level: "silent" }),
    events: { refused: (refusal) => refusals.push(refusal) },
  });
  dialers.push(dialer);
  dialer.start();
  return { refusals };
}

/**
 * Resolves once a dialer against a hub answering 503 made four attempts: at least
 * 125 + 250 + 500 ms of backoff (`backoffDelay` 0..2), where a dialer that went on after a
 * 401 would have dialed again within 250 ms. A clock made of the dialer's own schedule.
 */
async function threeBackoffsLater(): Promise<void> {
  const witness = await fakeHub(() => 503);
  dial([witness.url]);
  await waitFor(() => witness.attempts >= 4, { message: "the witness dialed four times" });
}

afterEach(async () => {
  linked = 0;
  for (const dialer of dialers.splice(0)) dialer.stop();
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

describe("HubDialer", () => {
  it("stops for good at a refused token and says so once", async () => {
    const hub = await fakeHub(() => 401);
    const { refusals } = dial([hub.url]);
    await waitFor(() => refusals.length > 0, { message: "refused" });
    expect(refusals).toEqual([{ hubUrl: hub.url, wasLinked: false }]);
    await threeBackoffsLater();
    expect(hub.attempts).toBe(1);
    expect(refusals).toHaveLength(1);
  });

  it("reports a refusal after a working link as such (sessions may run)", async () => {
    const hub = await fakeHub((attempt) => (attempt === 0 ? "accept" : 401));
    const { refusals } = dial([hub.url]);
    await waitFor(() => refusals.length > 0, { message: "refused" });
    expect(refusals).toEqual([{ hubUrl: hub.url, wasLinked: true }]);
    expect(hub.attempts).toBe(2);
  });

  it("dials past a 401 that does not prove it knows the token once a link worked, and links again", async () => {
    const hub = await fakeHub((attempt) => (attempt === 0 || attempt === 3 ? "accept" : "unproven 401"));
    const { refusals } = dial([hub.url]);
    await waitFor(() => linked === 2, { message: "linked again after two unproven 401s" });
    expect(hub.attempts).toBe(4);
    expect(refusals).toEqual([]);
  });

  it("stops at any 401 before a link worked: a mistyped token no hub can prove it knows", async () => {
    const hub = await fakeHub(() => "unproven 401");
    const { refusals } = dial([hub.url]);
    await waitFor(() => refusals.length > 0, { message: "refused" });
    expect(refusals).toEqual([{ hubUrl: hub.url, wasLinked: false }]);
  });

  it("proves its token without sending it, and links only to a server that proves it back", async () => {
    const rogue = await fakeHub(() => "unproven");
    dial([rogue.url]);
    await waitFor(() => rogue.attempts >= 2, { message: "dialed the unproven server again" });
    expect(linked).toBe(0);
    for (const authorization of rogue.authorizations) {
      expect(authorization).toMatch(/^Dispatch-Proof k=[0-9a-f]{16},/);
      expect(authorization).not.toContain(TOKEN);
    }

    const hub = await fakeHub(() => "accept");
    dial([hub.url]);
    await waitFor(() => linked > 0, { message: "linked to the proving hub" });
  });

  it("takes a refusal from one node of a cluster for all of them", async () => {
    const down = await fakeHub(() => 503);
    const refusing = await fakeHub(() => 401);
    const { refusals } = dial([down.url, refusing.url]);
    await waitFor(() => refusals.length > 0, { message: "refused" });
    expect(refusals).toEqual([{ hubUrl: refusing.url, wasLinked: false }]);
    await threeBackoffsLater();
    expect([down.attempts, refusing.attempts]).toEqual([1, 1]);
  });

  it.each([503, 500, 429, 403])(
    "dials again after HTTP %i: only a refused token (401) ends the dialing",
    async (status) => {
      const hub = await fakeHub(() => status);
      const { refusals } = dial([hub.url]);
      await waitFor(() => hub.attempts >= 3, { message: `three attempts after ${status}` });
      expect(refusals).toEqual([]);
    },
  );

  it("dials again while the hub cannot be reached, then links and is refused only on 401", async () => {
    const unreachable = await closedPortUrl();
    const hub = await fakeHub((attempt) => (attempt < 2 ? 503 : 401));
    const { refusals } = dial([unreachable, hub.url]);
    await waitFor(() => refusals.length > 0, { message: "refused in the end" });
    expect(hub.attempts).toBe(3);
    expect(refusals).toEqual([{ hubUrl: hub.url, wasLinked: false }]);
  });

  it("waits at most 5 s between rounds while its hub is down, so it is back soon after the hub", async () => {
    const down = await closedPortUrl();
    // The dialer's waits, skipped on a fake clock (the dials themselves fail for real); its
    // log says how long each one is.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const delays: number[] = [];
      const logger = pino(
        { level: "info" },
        {
          write: (line: string) => {
            const entry = JSON.parse(line) as { delayMs?: number };
            if (entry.delayMs !== undefined) delays.push(entry.delayMs);
          },
        },
      );
      const dialer = new HubDialer({
        hubUrls: [down],
        token: "dsh_test",
        daemon: idleDaemon,
        logger,
        events: { refused: () => undefined },
      });
      dialers.push(dialer);
      dialer.start();
      // Ten rounds: uncapped, the ninth and tenth would wait 16 s or more (30 s at most).
      for (let round = 0; round < 10; round++) {
        while (delays.length <= round) await new Promise((resolve) => setImmediate(resolve));
        vi.advanceTimersByTime(delays[round] as number);
      }
      expect(Math.max(...delays)).toBeLessThanOrEqual(5_000);
      expect(delays.slice(-3).every((delay) => delay >= 2_500)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
