/**
 * The client protocol on real processes: a hub (child process), its local host daemon and
 * real PTYs, reached over a real WebSocket.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";
import { poll, sleep, WireClient } from "./wire.js";

let hub: HubHandle;
const clients: WireClient[] = [];

async function client(): Promise<WireClient> {
  const c = await WireClient.open(hub.url, { authorization: `Bearer ${hub.key}` });
  clients.push(c);
  await c.request({ type: "hello", protocol: 1 });
  return c;
}

async function create(
  c: WireClient,
  session: Record<string, unknown>,
): Promise<{ id: string; name: string }> {
  const reply = await c.request({ type: "create", session });
  expect(reply.type, JSON.stringify(reply)).toBe("result");
  return (reply.data as { session: { id: string; name: string } }).session;
}

beforeAll(async () => {
  hub = await startHub({ env: { DISPATCH_KEY: "protocol-test-key-1234" } });
});

/** A POST announcing `length` bytes of JSON and sending none: the hub's answer to the length alone. */
function announcedBody(path: string, length: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${hub.url}${path}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${hub.key}`,
        "content-type": "application/json",
        "content-length": String(length),
      },
    });
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, body });
        request.destroy();
      });
    });
    request.on("error", reject);
    request.flushHeaders();
  });
}

afterAll(async () => {
  for (const c of clients) await c.close();
  await cleanupAll();
});

describe("attach and replay", () => {
  it("delivers exactly the events after afterSeq, then live, with no gap and no duplicate", async () => {
    const a = await client();
    const session = await create(a, {
      command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8; do echo line-$i; sleep 0.05; done; sleep 30"],
    });
    await a.request({ type: "attach", session: session.name, afterSeq: 0, snapshot: false });
    await a.waitForOutput(session.id, "line-8");
    const all = a.seqs(session.id);
    expect(all[0]).toBe(1);
    expect(all).toEqual(all.map((_, i) => i + 1));

    const n = Math.floor(all.length / 2);
    const b = await client();
    await b.request({ type: "attach", session: session.id, afterSeq: n, snapshot: false });
    await poll(() => (b.seqs(session.id).length >= all.length - n ? true : undefined), 5000, "replay");
    expect(b.seqs(session.id).slice(0, all.length - n)).toEqual(all.slice(n));
  });

  it("replays stored output joined when asked (coalesce), one frame per event otherwise, then live per event", async () => {
    const a = await client();
    const session = await create(a, {
      command: [
        "sh",
        "-c",
        "for i in $(seq 1 40); do echo row-$i; sleep 0.01; done; read go; echo after-$go; sleep 30",
      ],
    });
    await a.request({ type: "attach", session: session.name, afterSeq: 0, snapshot: false });
    await a.waitForOutput(session.id, "row-40");
    const stored = a.seqs(session.id);
    const lastSeq = stored.at(-1) as number;

    const exact = await client();
    await exact.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: false });
    const joined = await client();
    await joined.request({
      type: "attach",
      session: session.id,
      afterSeq: 0,
      snapshot: false,
      coalesce: true,
    });
    await exact.waitForOutput(session.id, "row-40");
    await joined.waitForOutput(session.id, "row-40");
    // Without coalesce every stored event is its own frame, as an independent client expects.
    expect(exact.seqs(session.id)).toEqual(stored);
    // Joined: the same bytes in far fewer frames, each carrying its last event's seq, in order.
    expect(joined.output(session.id)).toBe(a.output(session.id));
    const frames = joined.seqs(session.id);
    expect(frames.length).toBeLessThan(stored.length / 4);
    expect(frames.at(-1)).toBe(lastSeq);
    for (const seq of frames) expect(stored).toContain(seq);
    expect([...frames].sort((x, y) => x - y)).toEqual(frames);

    // Live output after the replay comes one event per frame, to both.
    a.send({ type: "input", session: session.id, data: "7\r" });
    await joined.waitForOutput(session.id, "after-7");
    const live = joined.seqs(session.id).filter((seq) => seq > lastSeq);
    expect(live.length).toBeGreaterThan(0);
    const allNow = a.seqs(session.id).filter((seq) => seq > lastSeq);
    expect(live).toEqual(allNow.slice(0, live.length));
  });

  it("lets two clients on one session see the same stream and both type", async () => {
    const a = await client();
    const b = await client();
    const session = await create(a, { command: ["cat"] });
    await a.request({ type: "attach", session: session.name, afterSeq: 0, snapshot: false });
    await b.request({ type: "attach", session: session.name, afterSeq: 0, snapshot: false });
    a.send({ type: "input", session: session.name, data: "from-a\r" });
    b.send({ type: "input", session: session.name, data: "from-b\r" });
    for (const c of [a, b]) {
      await c.waitForOutput(session.id, "from-a");
      await c.waitForOutput(session.id, "from-b");
    }
    await poll(() => (a.output(session.id) === b.output(session.id) ? true : undefined), 5000, "same stream");
    expect(a.seqs(session.id)).toEqual(b.seqs(session.id));
  });

  it("catches a reconnecting client up with exactly what it missed", async () => {
    const a = await client();
    const session = await create(a, { command: ["cat"] });
    await a.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: false });
    a.send({ type: "input", session: session.id, data: "before\r" });
    // The terminal echoes the line, then cat prints it: wait for both before leaving.
    await a.waitForOutput(session.id, "before\r\nbefore\r\n");
    const seen = a.seqs(session.id);
    const last = seen[seen.length - 1] as number;
    const firstOutput = a.output(session.id);
    await a.close();

    const writer = await client();
    writer.send({ type: "input", session: session.id, data: "while-away\r" });
    // Stored (echoed, then printed by cat) before the client comes back: it can only have it
    // from the catch-up, not live.
    await waitFor(
      async () => (await storedOutput(hub, session.name)).includes("while-away\r\nwhile-away\r\n"),
      {
        message: "the missed line stored",
      },
    );

    const back = await client();
    await back.request({ type: "attach", session: session.id, afterSeq: last, snapshot: false });
    await back.waitForOutput(session.id, "while-away");
    const resumed = back.seqs(session.id);
    expect(resumed[0]).toBe(last + 1);
    expect(resumed).toEqual(resumed.map((_, i) => last + 1 + i));
    expect(back.output(session.id)).not.toContain("before");
    expect(firstOutput + back.output(session.id)).toMatch(/before[\s\S]*while-away/);
  });
});

describe("attach modes", () => {
  it("snapshot: true always starts from the current screen, even for a client already past the latest snapshot", async () => {
    const a = await client();
    const session = await create(a, { command: ["cat"] });
    await a.request({ type: "attach", session: session.name, afterSeq: 0, snapshot: false });
    a.send({ type: "input", session: session.name, data: "first-line\r" });
    // The terminal's echo and cat's copy can come as two events: wait for both, so `last` is
    // the session's last seq and no output follows it while b attaches.
    await poll(
      () => (a.output(session.id).split("first-line").length > 2 ? true : undefined),
      10_000,
      "the echo and cat's copy of first-line",
    );
    const last = Math.max(...a.seqs(session.id));

    // A client that holds everything up to the last seq still gets the screen first.
    const b = await client();
    await b.request({ type: "attach", session: session.name, afterSeq: last, snapshot: true });
    const first = await poll(() => b.stream(session.id)[0], 10_000, "the first item of the stream");
    expect(first.kind).toBe("snapshot");
    expect(first.seq).toBeLessThanOrEqual(last);
    expect(first.kind === "snapshot" && first.data).toContain("first-line");

    // ...and then everything after it, live.
    a.send({ type: "input", session: session.name, data: "second-line\r" });
    await b.waitForOutput(session.id, "second-line");
    const outputSeqs = b
      .stream(session.id)
      .slice(1)
      .map((item) => item.seq);
    expect(outputSeqs.every((seq) => seq > first.seq)).toBe(true);

    // `snapshot: false` from the same seq sends no screen, only what follows.
    const c = await client();
    await c.request({ type: "attach", session: session.name, afterSeq: last, snapshot: false });
    a.send({ type: "input", session: session.name, data: "third-line\r" });
    await c.waitForOutput(session.id, "third-line");
    expect(c.stream(session.id).some((item) => item.kind === "snapshot")).toBe(false);
    expect(c.output(session.id)).not.toContain("first-line");
  });
});

describe("sessions", () => {
  it("records the exit code in an event and in the status", async () => {
    const a = await client();
    const session = await create(a, { command: ["sh", "-c", "echo bye; exit 3"] });
    await a.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: false });
    await poll(
      () => a.received.events.find((e) => e.session === session.id && e.type === "exit"),
      10_000,
      "exit event",
    );
    const exit = a.received.events.find((e) => e.session === session.id && e.type === "exit");
    expect(exit?.data).toMatchObject({ code: 3 });
    const info = await hub.api(`/api/sessions/${session.name}`).then((r) => r.json());
    expect(info.session.status).toBe("exited");
    expect(info.session.exitCode).toBe(3);
  });

  it("reports what runs in the foreground of a shell", async () => {
    const a = await client();
    const session = await create(a, { command: ["bash", "--norc", "--noprofile"] });
    a.send({ type: "input", session: session.id, data: "sleep 30\r" });
    const running = await pollSession(session.name, (s) => s.foreground === "sleep 30");
    expect(running.foreground).toBe("sleep 30");
    a.send({ type: "input", session: session.id, data: "\u0003" });
    const idle = await pollSession(session.name, (s) => s.foreground === null);
    expect(idle.foreground).toBeNull();
  });

  it("never lets the hub's key into a session's environment", async () => {
    const a = await client();
    const session = await create(a, { command: ["env"] });
    await a.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: false });
    await poll(
      () => a.received.events.find((e) => e.session === session.id && e.type === "exit"),
      10_000,
      "env to finish",
    );
    const output = a.output(session.id);
    expect(output).toContain("PATH=");
    expect(output).not.toContain("protocol-test-key-1234");
    expect(output).not.toMatch(/^DISPATCH_/m);
  });

  it("resizes the terminal and records the resize", async () => {
    const a = await client();
    const session = await create(a, { command: ["bash", "--norc", "--noprofile"], cols: 80, rows: 24 });
    await a.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: false });
    a.send({ type: "resize", session: session.id, cols: 123, rows: 45 });
    await poll(
      () => a.received.events.find((e) => e.session === session.id && e.type === "resize"),
      5000,
      "resize event",
    );
    a.send({ type: "input", session: session.id, data: "stty size\r" });
    await a.waitForOutput(session.id, "45 123");
  });

  it("renames a session while its id stays the same", async () => {
    const a = await client();
    const session = await create(a, { command: ["cat"] });
    const reply = await a.request({ type: "rename", session: session.name, name: "renamed-cat" });
    const renamed = (reply.data as { session: { id: string; name: string } }).session;
    expect(renamed).toMatchObject({ id: session.id, name: "renamed-cat" });
    const missing = await a.request({ type: "attach", session: session.name, afterSeq: 0, snapshot: false });
    expect(missing).toMatchObject({ type: "error", code: "not_found" });
  });
});

describe("bad input", () => {
  it("answers malformed and unknown messages with errors and keeps the connection", async () => {
    const a = await client();
    a.send("{not json");
    await a.waitFor((m) => m.type === "error" && String(m.message).includes("not valid JSON"));
    expect((await a.request({ type: "launch-missiles" })).code).toBe("bad_request");
    expect((await a.request({ type: "attach" })).code).toBe("bad_request");
    a.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    await a.waitFor((m) => m.type === "error" && String(m.message).includes("binary"));
    expect((await a.request({ type: "ping" })).type).toBe("pong");
    expect(a.closed).toBe(false);
  });

  it("refuses an oversized message and stays connected", async () => {
    const a = await client();
    const session = await create(a, { command: ["cat"] });
    const reply = await a.request({ type: "input", session: session.id, data: "x".repeat(2 * 1024 * 1024) });
    expect(reply).toMatchObject({ type: "error", code: "too_large" });
    expect(reply.message).toMatch(/over the 1\.0 MiB one message may carry; .*`dispatch send NAME --stdin`/);
    expect((await a.request({ type: "ping" })).type).toBe("pong");
    // Over REST, a limit is said plainly, with its number.
    const rest = await hub.api(`/api/sessions/${session.id}/input`, {
      method: "POST",
      body: JSON.stringify({ data: "x".repeat(1_200_000) }),
    });
    expect(rest.status).toBe(400);
    const { error } = (await rest.json()) as { error: { message: string } };
    expect(error.message).toMatch(/'data': too long: at most 1,048,576 characters/);
    // Over the body limit: said with the limit and what to do (before: "request body too large").
    // Only the length is sent: the hub answers from it, and a body written meanwhile would
    // race the hub closing the connection (EPIPE).
    const huge = await announcedBody(`/api/sessions/${session.id}/input`, 3 * 1024 * 1024);
    expect(huge.status).toBe(413);
    expect((JSON.parse(huge.body) as { error: { message: string } }).error.message).toBe(
      "request body over the 2.0 MiB a request may carry; send long text with `dispatch send NAME --stdin`, which sends it in pieces",
    );
  });

  it("applies REST input sent again with the same id once", async () => {
    const a = await client();
    const session = await create(a, { command: ["cat"] });
    const send = (data: string, seq: number) =>
      hub.api(`/api/sessions/${session.id}/input`, {
        method: "POST",
        body: JSON.stringify({ data, id: { stream: "rest-resend-test", seq } }),
      });
    // A client that got no answer (a hub node went away mid-relay) sends again, same id.
    for (const seq of [1, 1, 2]) expect((await send(seq === 1 ? "once\r" : "after\r", seq)).status).toBe(200);
    // The terminal echoes each line and cat prints it: twice per line applied.
    const output = await waitFor(
      async () => {
        const text = await storedOutput(hub, session.name);
        return text.split("after").length - 1 >= 2 ? text : undefined;
      },
      { message: "both lines reached cat" },
    );
    expect(output.split("once").length - 1).toBe(2);
  });

  it("suggests the closest name for an unknown session", async () => {
    const a = await client();
    await create(a, { name: "build", command: ["cat"] });
    const reply = await a.request({ type: "attach", session: "bulid", afterSeq: 0 });
    expect(reply).toMatchObject({ type: "error", code: "not_found" });
    expect(reply.message).toBe("no session 'bulid' — did you mean 'build'?");
  });

  it("rejects invalid names, impossible sizes and input to an exited session", async () => {
    const a = await client();
    const badName = await a.request({ type: "create", session: { name: "Bad Name!", command: ["cat"] } });
    expect(badName.code).toBe("bad_request");
    const session = await create(a, { command: ["sh", "-c", "exit 0"] });
    for (const [cols, rows] of [
      [0, 0],
      [100000, 24],
    ]) {
      const reply = await a.request({ type: "resize", session: session.id, cols, rows });
      expect(reply.code).toBe("bad_request");
    }
    await pollSession(session.name, (s) => s.status === "exited");
    const input = await a.request({ type: "input", session: session.id, data: "hello" });
    expect(input).toMatchObject({ type: "error", code: "session_exited" });
    const health = await fetch(`${hub.url}/api/health`).then((r) => r.json());
    expect(health.ok).toBe(true);
  });

  it("keeps stored output intact through all of it", async () => {
    const a = await client();
    const session = await create(a, { command: ["sh", "-c", "echo kept-output; sleep 30"] });
    await a.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: false });
    await a.waitForOutput(session.id, "kept-output");
    a.send("garbage");
    a.send({ type: "input", session: "nope", data: "x" });
    await a.waitFor((m) => m.code === "not_found");
    const events = await hub.api(`/api/sessions/${session.id}/events?after=0`).then((r) => r.json());
    const text = events.events
      .filter((e: { type: string }) => e.type === "output")
      .map((e: { data: string }) => Buffer.from(e.data, "base64").toString())
      .join("");
    expect(text).toContain("kept-output");
  });
});

describe("auth", () => {
  it("refuses REST without a key or with a wrong one; health reveals nothing else", async () => {
    expect((await fetch(`${hub.url}/api/sessions`)).status).toBe(401);
    const wrong = await fetch(`${hub.url}/api/sessions`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe("unauthorized");
    const health = await fetch(`${hub.url}/api/health`);
    expect(health.status).toBe(200);
    expect(Object.keys(await health.json()).sort()).toEqual(["ok", "version"]);
    expect((await hub.api("/api/sessions")).status).toBe(200);
  });

  it("closes a WebSocket whose hello has no valid key", async () => {
    const c = await WireClient.open(hub.url);
    clients.push(c);
    const reply = await c.request({ type: "hello", protocol: 1, key: "wrong" });
    expect(reply).toMatchObject({ type: "error", code: "unauthorized" });
    await poll(() => (c.closed ? true : undefined), 5000, "close");
  });

  it("refuses a hello of another protocol version and ends the connection at once, saying why", async () => {
    const c = await WireClient.open(hub.url, { authorization: `Bearer ${hub.key}` });
    clients.push(c);
    const reply = await c.request({ type: "hello", protocol: 99 });
    expect(reply).toMatchObject({ type: "error", code: "protocol_version" });
    expect(String(reply.message)).toContain("the client sent 99; update the client");
    // 4426 (protocol), not the hello timeout's 4408 five seconds later.
    expect(await poll(() => c.closeCode, 10_000, "close")).toBe(4426);
  });

  it("cuts off a socket that sends a large frame before signing in with its hello", async () => {
    const c = await WireClient.open(hub.url);
    clients.push(c);
    // Under the socket's frame limit (16 MiB): a signed-in client gets an error and stays.
    c.send("x".repeat(1024 * 1024));
    expect(await poll(() => c.closeCode, 10_000, "close")).toBe(1009);
    expect(c.received.json.filter((m) => m.type === "error")).toEqual([]);
    // A hello of its own size is let in as before.
    const d = await WireClient.open(hub.url);
    clients.push(d);
    expect((await d.request({ type: "hello", protocol: 1, key: hub.key })).type).toBe("welcome");
    expect((await d.request({ type: "ping" })).type).toBe("pong");
  });

  it("accepts the key in hello and rejects a foreign Origin", async () => {
    const c = await WireClient.open(hub.url);
    clients.push(c);
    expect((await c.request({ type: "hello", protocol: 1, key: hub.key })).type).toBe("welcome");
    await expect(WireClient.open(hub.url, { origin: "http://evil.example" })).rejects.toThrow(/403/);
  });

  it("slows failed logins but never refuses the right key", async () => {
    const bodies: { status: number; message: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${hub.url}/api/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ key: `wrong-${i}` }),
      });
      const body = (await res.json()) as { error: { message: string } };
      bodies.push({ status: res.status, message: body.error.message });
    }
    // Every wrong key is answered as wrong (no lockout); past a few, the answer says it is slowed.
    expect(bodies.every((b) => b.status === 401)).toBe(true);
    expect(bodies.at(-1)?.message).toMatch(/failed attempts from .*slowed/);
    const right = await fetch(`${hub.url}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key: hub.key }),
    });
    expect(right.status).toBe(200);
  });
});

type Brief = { status: string; foreground: string | null };

/** Polls the REST API until the session matches; fails with its last state. */
async function pollSession(name: string, done: (s: Brief) => boolean): Promise<Brief> {
  let last: Brief | undefined;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    last = (await hub.api(`/api/sessions/${name}`).then((r) => r.json())).session as Brief;
    if (done(last)) return last;
    await sleep(100);
  }
  throw new Error(`session ${name} never matched; last: ${JSON.stringify(last)}`);
}
