/**
 * A real hub on a real PostgreSQL reached through a small TCP proxy that can black-hole the
 * link: the hub's side stays open, bytes go nowhere and no answer comes, as when the network
 * drops packets or a proxy hangs. The hub must not block on it without bound: it says its
 * storage is failing, keeps answering meanwhile, and recovers by itself once the link is back;
 * a client attached through the outage is then shown every event, in order, once.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BlackholeProxy, type HeldAttempt, startBlackholeProxy } from "./blackholeProxy.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { type PostgresServer, startPostgres } from "./postgresServer.js";
import { WireClient } from "./wire.js";

let server: PostgresServer;
const proxies: BlackholeProxy[] = [];

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await cleanupAll();
  for (const proxy of proxies) await proxy.close();
  await server?.stop();
});

/** A hub on a fresh database through a black-hole proxy, with the PostgreSQL bounds given. */
async function hubThroughProxy(bounds: {
  queryMs: number;
  connectMs: number;
}): Promise<{ hub: HubHandle; proxy: BlackholeProxy; url: string }> {
  const url = await server.database();
  const proxy = await startBlackholeProxy(server.port);
  proxies.push(proxy);
  const hub = await startHub({
    env: {
      DISPATCH_STORE: url.replace(`:${server.port}/`, `:${proxy.port}/`),
      DISPATCH_PG_TIMEOUT_MS: String(bounds.queryMs),
      DISPATCH_PG_CONNECT_TIMEOUT_MS: String(bounds.connectMs),
    },
  });
  return { hub, proxy, url };
}

/** A `cat` session on `h` (its id): it echoes what is typed, output the hub must store. */
async function catSession(h: HubHandle, name: string): Promise<string> {
  const created = await h.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ name, command: ["cat"] }),
  });
  expect(created.status).toBe(201);
  return ((await created.json()) as { session: { id: string } }).session.id;
}

/** A client past its hello (closed by the caller). */
async function wireClient(h: HubHandle): Promise<WireClient> {
  const client = await WireClient.open(h.url, { authorization: `Bearer ${h.key}` });
  expect(await client.request({ type: "hello", protocol: 1 })).toMatchObject({ type: "welcome" });
  return client;
}

async function storedOutput(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ data: Buffer }>("SELECT data FROM events WHERE type = 'output'");
    return rows.map((row) => row.data.toString("latin1")).join("");
  } finally {
    await client.end();
  }
}

describe("a hub whose PostgreSQL link drops every packet", () => {
  it("says its storage is failing in bounded time, keeps answering, and recovers once the link is back", async () => {
    const { hub: h, proxy, url } = await hubThroughProxy({ queryMs: 2000, connectMs: 2000 });
    const session = await catSession(h, "quiet");

    proxy.blackhole();
    const client = await wireClient(h);
    try {
      // The echo is output the hub must store: its write meets the silent server.
      await client.request({ type: "input", session, data: "typed-into-the-void\n" });
    } finally {
      await client.close();
    }
    await waitFor(
      async () =>
        /storage\s+FAILING: the PostgreSQL store/.test(
          (await h.cli(["status"], { timeoutMs: 20_000 })).stdout,
        ),
      { timeoutMs: 60_000, message: "dispatch status says the storage is failing" },
    );
    const status = await h.cli(["status"]);
    expect(status.stdout).toMatch(/did not answer within 2 s|cannot connect to PostgreSQL/);

    proxy.resume();
    await waitFor(async () => /storage\s+ok/.test((await h.cli(["status"])).stdout), {
      timeoutMs: 60_000,
      message: "storage ok again once the link is back",
    });
    await waitFor(async () => (await storedOutput(url)).includes("typed-into-the-void"), {
      timeoutMs: 30_000,
      message: "the echo typed during the black hole stored",
    });
  }, 180_000);

  it("signs in, takes typing and reports failing storage while its reconnect waits on the silent server, and stores the typing once the link is back", async () => {
    // A connect to the black hole waits up to 30 s: the window in which the hub must answer.
    const { hub: h, proxy, url } = await hubThroughProxy({ queryMs: 2000, connectMs: 30_000 });
    const session = await catSession(h, "echo");
    const client = await wireClient(h);
    try {
      // Attaching reads the store: before the link goes.
      await client.request({ type: "attach", session, afterSeq: 0, snapshot: false });
      proxy.blackhole();
      let attempt: HeldAttempt | undefined;
      void proxy.nextAttempt().then((held) => {
        attempt = held;
      });
      // The echo is output the hub must store: that write times out (2 s), the connection is
      // dropped, and after a pause the hub opens a new one, which the black hole holds.
      await client.request({ type: "input", session, data: "before-the-hole\n" });
      const connecting = await waitFor(() => attempt, {
        timeoutMs: 60_000,
        message: "the hub tries to connect again while the link drops every packet",
      });
      const pending = (what: string) =>
        expect(connecting.open, `${what} answered while the hub's connect was still waiting`).toBe(true);

      for (let i = 1; i <= 5; i++) {
        const health = await fetch(`${h.url}/api/health`);
        expect(health.status).toBe(200);
        pending(`health check ${i}`);
      }
      // Store calls fail at once meanwhile, saying why.
      const status = (await (await h.api("/api/status")).json()) as {
        storage: { ok: boolean; problem: string };
      };
      pending("the status");
      expect(status.storage.ok).toBe(false);
      expect(status.storage.problem).toMatch(/did not answer within 2 s|cannot connect to PostgreSQL/);
      // Output is shown once stored: typing is taken now, its echo comes after the outage.
      expect(
        await client.request({ type: "input", session, data: "typed-while-connecting\n" }),
      ).toMatchObject({
        type: "result",
      });
      pending("typing");
      // Signing in: a new connection and its hello.
      const signedIn = await wireClient(h);
      await signedIn.close();
      pending("a sign-in");

      proxy.resume();
      await waitFor(async () => (await storedOutput(url)).includes("typed-while-connecting"), {
        timeoutMs: 60_000,
        message: "the echo typed while the hub reconnected stored once the link is back",
      });
      // Shown to the client attached through the outage, and to whoever attaches now.
      await client.waitForOutput(session, "typed-while-connecting", 30_000);
      const viewer = await wireClient(h);
      try {
        await viewer.request({ type: "attach", session, afterSeq: 0, snapshot: false });
        await viewer.waitForOutput(session, "typed-while-connecting", 30_000);
      } finally {
        await viewer.close();
      }
    } finally {
      await client.close();
    }
  }, 240_000);
});

async function storageOk(h: HubHandle): Promise<boolean> {
  const status = (await (await h.api("/api/status")).json()) as { storage: { ok: boolean } };
  return status.storage.ok;
}

/** The numbers of the `line-N` lines the client was shown, in the order it was shown them. */
function linesShown(client: WireClient, session: string): number[] {
  return [...client.output(session).matchAll(/line-(\d+)\r\n/g)].map((m) => Number(m[1]));
}

interface Outage {
  begin: () => Promise<void> | void;
  end: () => Promise<void> | void;
  /** The watching client attaches once the outage began (else before it). */
  attachDuring?: boolean;
}

/**
 * Types lines into a `cat` (without the terminal's echo, so each line is printed once) before,
 * during and after `outage`, and checks that a client attached from the first line (or from
 * within the outage) is shown every line once, in order, with the session's seqs in order and
 * without a hole.
 */
async function printThroughOutage(h: HubHandle, outage: Outage): Promise<void> {
  const created = await h.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ name: "printer", command: ["sh", "-c", "stty -echo; exec cat"] }),
  });
  expect(created.status).toBe(201);
  const session = ((await created.json()) as { session: { id: string } }).session.id;
  const typist = await wireClient(h);
  const watcher = await wireClient(h);
  let typed = 0;
  const type = async (lines: number) => {
    for (let i = 0; i < lines; i++) {
      typed += 1;
      const answer = await typist.request({ type: "input", session, data: `line-${typed}\n` }, 30_000);
      expect(answer).toMatchObject({ type: "result" });
    }
  };
  const attach = async () => {
    const answer = await watcher.request({ type: "attach", session, afterSeq: 0, snapshot: false }, 30_000);
    expect(answer).toMatchObject({ type: "attached" });
  };
  try {
    await typist.request({ type: "attach", session, afterSeq: 0, snapshot: false });
    if (!outage.attachDuring) await attach();
    await type(5);
    await typist.waitForOutput(session, `line-${typed}\r\n`, 30_000);

    await outage.begin();
    if (outage.attachDuring) await attach();
    await type(5);
    await waitFor(async () => !(await storageOk(h)), {
      timeoutMs: 60_000,
      message: "the hub says its storage is failing",
    });
    await type(5);

    await outage.end();
    await type(5);
    await waitFor(() => storageOk(h), { timeoutMs: 60_000, message: "storage ok once PostgreSQL is back" });
    await type(5);
    await waitFor(() => linesShown(watcher, session).at(-1) === typed, {
      timeoutMs: 60_000,
      message: `the attached client shown the last line typed (line-${typed})`,
    }).catch((err: Error) => {
      throw new Error(
        `${err.message}; shown: ${JSON.stringify(linesShown(watcher, session))}, seqs ${JSON.stringify(watcher.seqs(session))}`,
      );
    });
    expect(linesShown(watcher, session)).toEqual(Array.from({ length: typed }, (_, i) => i + 1));
    const seqs = watcher.seqs(session);
    expect(seqs, "seqs shown in order, each once, without a hole").toEqual(
      Array.from({ length: seqs.length }, (_, i) => (seqs[0] as number) + i),
    );
  } finally {
    await typist.close();
    await watcher.close();
  }
}

describe("a hub whose link to PostgreSQL heals after a partition", () => {
  it("takes its node lock back from its own stale connection, and never says another hub has it", async () => {
    const { hub: h, proxy } = await hubThroughProxy({ queryMs: 2000, connectMs: 2000 });
    const session = await catSession(h, "partitioned");
    const client = await wireClient(h);
    const problems = new Set<string>();
    const status = async () => {
      const body = (await (await h.api("/api/status")).json()) as {
        storage: { ok: boolean; problem: string | null };
      };
      if (body.storage.problem) problems.add(body.storage.problem);
      return body.storage.ok;
    };
    try {
      await client.request({ type: "attach", session, afterSeq: 0, snapshot: false });
      // The hub's connection, and the node lock it holds, live on at the server: it hears
      // nothing of the hub dropping its side.
      proxy.blackhole();
      await client.request({ type: "input", session, data: "before-the-partition\n" });
      await waitFor(async () => !(await status()), { timeoutMs: 60_000, message: "storage failing" });
      proxy.mend();
      await waitFor(() => status(), { timeoutMs: 60_000, message: "storage ok once the link is back" });
      await client.request({ type: "input", session, data: "after-the-partition\n" });
      await client.waitForOutput(session, "after-the-partition", 30_000);
      expect(client.output(session)).toContain("before-the-partition");
      expect([...problems].join("\n")).not.toMatch(/another hub/);
    } finally {
      await client.close();
    }
  }, 240_000);
});

describe("a client attached through a PostgreSQL outage (the server restarted or the link silent)", () => {
  it("is shown every line printed before, during and after the server's restart", async () => {
    const { hub } = await hubThroughProxy({ queryMs: 2000, connectMs: 2000 });
    await printThroughOutage(hub, { begin: () => server.halt(), end: () => server.resume() });
  }, 240_000);

  it("is shown every line printed before, during and after the link drops every packet", async () => {
    const { hub, proxy } = await hubThroughProxy({ queryMs: 2000, connectMs: 2000 });
    await printThroughOutage(hub, { begin: () => proxy.blackhole(), end: () => proxy.resume() });
  }, 240_000);

  it("is shown every line when the answer to a commit of its lines was lost", async () => {
    // The hub cannot know the batch was stored: the host's resend must neither stall on the
    // stored events nor leave the client without them.
    const { hub, proxy } = await hubThroughProxy({ queryMs: 2000, connectMs: 2000 });
    await printThroughOutage(hub, {
      // The append's last statement (by its prepared name), then its COMMIT.
      begin: () => proxy.blackholeAfter("append_totals", "COMMIT"),
      end: () => proxy.resume(),
    });
  }, 240_000);

  it("is shown every line when it attached while the link dropped every packet", async () => {
    // Its first read of the log meets the silent server and fails: it must be read again.
    const { hub, proxy } = await hubThroughProxy({ queryMs: 2000, connectMs: 30_000 });
    await printThroughOutage(hub, {
      begin: () => proxy.blackhole(),
      end: () => proxy.resume(),
      attachDuring: true,
    });
  }, 240_000);
});
