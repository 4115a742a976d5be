/**
 * People on a real hub: roles against every action over REST and the WebSocket, per-session
 * grants, share links (used, expired, revoked), a viewer refused input, presence seen by
 * another client and `dispatch who`, the size rule with two clients, and the audit trail of a
 * scripted day (`dispatch audit`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { WireClient } from "./wire.js";

let hub: HubHandle;
const clients: WireClient[] = [];
const tokens: Record<"writer" | "viewer", string> = { writer: "", viewer: "" };
type Who = "owner" | "writer" | "viewer";

function secretOf(who: Who): string {
  return who === "owner" ? hub.key : tokens[who];
}

function as(
  who: Who | string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Response> {
  const secret = who === "owner" || who === "writer" || who === "viewer" ? secretOf(who) : who;
  return fetch(`${hub.url}${path}`, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${secret}`,
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

async function socket(secret: string): Promise<WireClient> {
  const c = await WireClient.open(hub.url);
  clients.push(c);
  const welcome = await c.request({ type: "hello", protocol: 1, key: secret });
  expect(welcome.type, JSON.stringify(welcome)).toBe("welcome");
  return c;
}

async function createSession(name: string, command = ["cat"]): Promise<string> {
  const res = await as("owner", "/api/sessions", { method: "POST", body: { name, command } });
  expect(res.status, await res.clone().text()).toBe(201);
  const { session } = (await res.json()) as { session: { id: string } };
  await waitFor(async () => {
    const info = (await (await as("owner", `/api/sessions/${name}`)).json()) as {
      session: { status: string };
    };
    return info.session.status === "running";
  });
  return session.id;
}

async function sessionSize(name: string): Promise<string> {
  const { session } = (await (await as("owner", `/api/sessions/${name}`)).json()) as {
    session: { cols: number; rows: number };
  };
  return `${session.cols}x${session.rows}`;
}

beforeAll(async () => {
  hub = await startHub({ env: { DISPATCH_KEY: "people-test-key-123456" } });
  for (const role of ["writer", "viewer"] as const) {
    const res = await as("owner", "/api/users", { method: "POST", body: { name: `${role}-pat`, role } });
    expect(res.status).toBe(201);
    tokens[role] = ((await res.json()) as { token: string }).token;
  }
  await createSession("build");
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await cleanupAll();
});

describe("roles", () => {
  it("checks each role against each action over REST", async () => {
    const matrix: { action: string; call: (who: Who, i: number) => Promise<Response>; least: Who }[] = [
      { action: "list", least: "viewer", call: (who) => as(who, "/api/sessions") },
      { action: "read", least: "viewer", call: (who) => as(who, "/api/sessions/build") },
      { action: "events", least: "viewer", call: (who) => as(who, "/api/sessions/build/events") },
      {
        action: "input",
        least: "writer",
        call: (who) => as(who, "/api/sessions/build/input", { method: "POST", body: { data: "x" } }),
      },
      {
        action: "resize",
        least: "writer",
        call: (who) =>
          as(who, "/api/sessions/build/resize", { method: "POST", body: { cols: 90, rows: 30 } }),
      },
      {
        action: "rename",
        least: "writer",
        call: (who) => as(who, "/api/sessions/build", { method: "PATCH", body: { name: "build" } }),
      },
      {
        action: "create",
        least: "writer",
        call: (who, i) =>
          as(who, "/api/sessions", { method: "POST", body: { name: `made-${who}-${i}`, command: ["cat"] } }),
      },
      {
        action: "kill",
        least: "writer",
        call: async (who, i) => {
          await createSession(`doomed-${who}-${i}`);
          return as(who, `/api/sessions/doomed-${who}-${i}`, { method: "DELETE" });
        },
      },
      {
        action: "share",
        least: "owner",
        call: (who) => as(who, "/api/sessions/build/share", { method: "POST", body: {} }),
      },
      { action: "users", least: "owner", call: (who) => as(who, "/api/users") },
      { action: "audit", least: "owner", call: (who) => as(who, "/api/audit") },
      { action: "hosts", least: "owner", call: (who) => as(who, "/api/hosts") },
      { action: "gc", least: "owner", call: (who) => as(who, "/api/gc", { method: "POST", body: {} }) },
    ];
    const rank: Record<Who, number> = { viewer: 1, writer: 2, owner: 3 };
    const outcomes: string[] = [];
    const expected: string[] = [];
    let i = 0;
    for (const row of matrix) {
      for (const who of ["owner", "writer", "viewer"] as const) {
        i += 1;
        const res = await row.call(who, i);
        const allowed = rank[who] >= rank[row.least];
        outcomes.push(`${row.action}/${who}: ${res.ok ? "allowed" : res.status}`);
        expected.push(`${row.action}/${who}: ${allowed ? "allowed" : 403}`);
        if (!allowed) {
          const body = (await res.json()) as { error: { code: string; message: string } };
          expect(body.error.code).toBe("forbidden");
          expect(body.error.message).toMatch(/cannot .*(ask|only an owner)/);
        }
      }
    }
    expect(outcomes).toEqual(expected);
  });

  it("checks each role against each action over the WebSocket, and audits each refusal", async () => {
    const start = Date.now();
    const outcomes: string[] = [];
    const expected: string[] = [];
    const rank: Record<Who, number> = { viewer: 1, writer: 2, owner: 3 };
    for (const who of ["owner", "writer", "viewer"] as const) {
      const c = await socket(secretOf(who));
      const doomed = `ws-doomed-${who}`;
      await createSession(doomed);
      const rows: { action: string; least: Who; message: Record<string, unknown> }[] = [
        { action: "list", least: "viewer", message: { type: "list" } },
        { action: "attach", least: "viewer", message: { type: "attach", session: "build", afterSeq: 0 } },
        { action: "input", least: "writer", message: { type: "input", session: "build", data: "y" } },
        {
          action: "resize",
          least: "writer",
          message: { type: "resize", session: "build", cols: 81, rows: 25 },
        },
        { action: "rename", least: "writer", message: { type: "rename", session: "build", name: "build" } },
        {
          action: "create",
          least: "writer",
          message: { type: "create", session: { name: `ws-made-${who}`, command: ["cat"] } },
        },
        { action: "kill", least: "writer", message: { type: "kill", session: doomed } },
      ];
      for (const row of rows) {
        const reply = await c.request(row.message);
        const allowed = rank[who] >= rank[row.least];
        outcomes.push(`${row.action}/${who}: ${reply.type === "error" ? reply.code : "allowed"}`);
        expected.push(`${row.action}/${who}: ${allowed ? "allowed" : "forbidden"}`);
      }
    }
    expect(outcomes).toEqual(expected);
    // Each refusal is in the audit trail, with what was tried; refused keys once a minute.
    const { entries } = (await (await as("owner", `/api/audit?since=${start}`)).json()) as {
      entries: { actor: string; action: string; detail: { action?: string; refusal?: string } }[];
    };
    const refused = entries.filter((e) => e.action === "refused");
    expect(refused.every((e) => e.actor === "viewer-pat")).toBe(true);
    expect(refused.map((e) => e.detail.action).filter((a) => a !== "input" && a !== "resize")).toEqual([
      "rename",
      "create",
      "kill",
    ]);
    // Keys and sizes refused: one row a minute (the REST test's refusals may hold this minute's).
    const keys = (list: typeof entries) =>
      list.filter(
        (e) => e.action === "refused" && (e.detail.action === "input" || e.detail.action === "resize"),
      );
    expect(keys(refused).length).toBeLessThanOrEqual(1);
    const all = (await (await as("owner", "/api/audit")).json()) as { entries: typeof entries };
    expect(keys(all.entries).length).toBeGreaterThanOrEqual(1);
    expect(refused.at(-1)?.detail.refusal).toBe(
      "viewers cannot kill 'ws-doomed-viewer'; ask its owner for write access",
    );
  });

  it("a per-session grant overrides the global role, and role changes apply at once", async () => {
    await createSession("secret");
    const grant = await as("owner", "/api/users/writer-pat", {
      method: "PATCH",
      body: { role: "viewer", session: "secret" },
    });
    expect(grant.status).toBe(200);
    const refused = await as("writer", "/api/sessions/secret/input", { method: "POST", body: { data: "z" } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      "viewers cannot type into 'secret'; ask its owner for write access",
    );
    // Elsewhere the writer still writes.
    expect(
      (await as("writer", "/api/sessions/build/input", { method: "POST", body: { data: "" } })).status,
    ).toBe(200);
    // Promote the viewer user globally: allowed at once, no new sign-in.
    await as("owner", "/api/users/viewer-pat", { method: "PATCH", body: { role: "writer" } });
    expect(
      (await as("viewer", "/api/sessions/build/input", { method: "POST", body: { data: "" } })).status,
    ).toBe(200);
    await as("owner", "/api/users/viewer-pat", { method: "PATCH", body: { role: "viewer" } });
    expect(
      (await as("viewer", "/api/sessions/build/input", { method: "POST", body: { data: "" } })).status,
    ).toBe(403);
    // Unknown users and roles get errors a person can act on.
    const unknown = await as("owner", "/api/users/nobody", { method: "PATCH", body: { role: "viewer" } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(
      /no user 'nobody'/,
    );
  });

  it("a removed user's token stops working", async () => {
    const add = await as("owner", "/api/users", { method: "POST", body: { name: "temp", role: "writer" } });
    const { token } = (await add.json()) as { token: string };
    expect((await as(token, "/api/sessions")).status).toBe(200);
    expect((await as("owner", "/api/users/temp", { method: "DELETE" })).status).toBe(200);
    const refused = await as(token, "/api/sessions");
    expect(refused.status).toBe(401);
    // Said as what it is: not a wrong access key, which its holder never had.
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /^this personal token is unknown or its user was removed; ask an owner/,
    );
  });
});

describe("share links", () => {
  async function share(body: Record<string, unknown>): Promise<{ url: string; id: string }> {
    const res = await as("owner", "/api/sessions/build/share", { method: "POST", body });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { url: string; share: { id: string } };
    return { url: created.url, id: created.share.id };
  }

  async function open(
    url: string,
  ): Promise<{ status: number; cookie: string | undefined; location: string | null }> {
    const res = await fetch(url, { redirect: "manual" });
    const cookie = res.headers.get("set-cookie")?.split(";")[0];
    return { status: res.status, cookie, location: res.headers.get("location") };
  }

  it("a read-only link opens just that session: output live, input refused", async () => {
    await createSession("other");
    const link = await share({});
    expect(link.url).toMatch(/\/share\/dps_/);
    const opened = await open(link.url);
    expect(opened.status).toBe(302);
    expect(opened.location).toBe("/#session=build");
    expect(opened.cookie).toMatch(/^dispatch_session=/);
    const headers = { cookie: opened.cookie as string };
    const list = (await (await fetch(`${hub.url}/api/sessions`, { headers })).json()) as {
      sessions: { name: string }[];
    };
    expect(list.sessions.map((s) => s.name)).toEqual(["build"]);
    const other = await fetch(`${hub.url}/api/sessions/other`, { headers });
    expect(other.status).toBe(404);

    // Over the WebSocket with the link's cookie: sees output, cannot type.
    const viewer = await WireClient.open(hub.url, headers);
    clients.push(viewer);
    expect((await viewer.request({ type: "hello", protocol: 1 })).type).toBe("welcome");
    const attached = await viewer.request({ type: "attach", session: "build", afterSeq: 0, snapshot: false });
    expect(attached.role).toBe("viewer");
    const typed = await viewer.request({ type: "input", session: "build", data: "nope\n" });
    expect(typed).toMatchObject({ type: "error", code: "forbidden" });
    expect(typed.message).toMatch(/viewers cannot type into 'build'/);
    for (const refused of [
      { type: "resize", session: "build", cols: 50, rows: 10 },
      { type: "rename", session: "build", name: "mine" },
      { type: "kill", session: "build" },
    ]) {
      expect((await viewer.request(refused)).code).toBe("forbidden");
    }
    const owner = await socket(hub.key);
    const { id } = (await owner.request({ type: "attach", session: "build", afterSeq: 0 })).session as {
      id: string;
    };
    await owner.request({ type: "input", session: "build", data: "seen-by-viewer\n" });
    await viewer.waitForOutput(id, "seen-by-viewer");
  });

  it("a write link may type; an expired or revoked link is refused", async () => {
    const writeLink = await share({ write: true });
    const { cookie } = await open(writeLink.url);
    const typed = await fetch(`${hub.url}/api/sessions/build/input`, {
      method: "POST",
      headers: { cookie: cookie as string, "content-type": "application/json" },
      body: JSON.stringify({ data: "" }),
    });
    expect(typed.status).toBe(200);

    const shortLived = await share({ expires: "300ms" });
    const first = await open(shortLived.url);
    expect(first.status).toBe(302);
    await waitFor(async () => (await open(shortLived.url)).status === 401);
    const gone = await fetch(`${hub.url}/api/sessions`, { headers: { cookie: first.cookie as string } });
    expect(gone.status).toBe(401);

    const listed = (await (await as("owner", "/api/shares")).json()) as { shares: { id: string }[] };
    expect(listed.shares.map((s) => s.id)).toContain(writeLink.id);
    expect(listed.shares.map((s) => s.id)).not.toContain(shortLived.id);
    const revoked = await hub.cli(["share", "revoke", writeLink.id.slice(0, 10)]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const after = await fetch(`${hub.url}/api/sessions`, { headers: { cookie: cookie as string } });
    expect(after.status).toBe(401);
    // The link's token as a bearer: said to be a dead link, not a wrong access key.
    const token = new URL(writeLink.url).pathname.split("/").at(-1) as string;
    const bearer = await fetch(`${hub.url}/api/sessions`, { headers: { authorization: `Bearer ${token}` } });
    expect(bearer.status).toBe(401);
    expect(((await bearer.json()) as { error: { message: string } }).error.message).toMatch(
      /^this share link is unknown, expired or revoked; ask for a new one/,
    );
    expect((await open(writeLink.url)).status).toBe(401);
    // Three refusals that change nothing: run side by side (each is a Node boot).
    const [bad, dead, typo] = await Promise.all([
      hub.cli(["share", "build", "--expires", "soon"]),
      hub.cli(["share", "build", "--expires", "0s"]),
      // No session so named, and one typo from a subcommand: said as the typo it is.
      hub.cli(["share", "revok"]),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid duration 'soon'/);
    expect(dead.code).not.toBe(0);
    expect(dead.stderr).toMatch(/'0s' would end the link at once/);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      "dispatch: no command 'share revok' — did you mean 'share revoke'? (dispatch share --help lists them)\n",
    );
  });

  it("a write link types into its session but cannot rename, kill, revive or share it", async () => {
    const writeLink = await share({ write: true });
    const headers = { cookie: (await open(writeLink.url)).cookie as string };
    const refusal = (verb: string) => `a share link may type into 'build' but not ${verb} it; ask its owner`;
    const rest = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${hub.url}/api/sessions/build${path}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return {
        status: res.status,
        message: ((await res.json()) as { error?: { message: string } }).error?.message,
      };
    };
    expect(await rest("PATCH", "", { name: "mine" })).toEqual({ status: 403, message: refusal("rename") });
    expect(await rest("DELETE", "")).toEqual({ status: 403, message: refusal("kill") });
    expect(await rest("POST", "/revive", {})).toEqual({ status: 403, message: refusal("revive") });
    expect(await rest("POST", "/share", { write: true })).toEqual({ status: 403, message: refusal("share") });

    const writer = await WireClient.open(hub.url, headers);
    clients.push(writer);
    expect((await writer.request({ type: "hello", protocol: 1 })).type).toBe("welcome");
    const attached = await writer.request({ type: "attach", session: "build", afterSeq: 0, snapshot: false });
    expect(attached.role).toBe("writer");
    const id = (attached.session as { id: string }).id;
    for (const [refused, verb] of [
      [{ type: "rename", session: "build", name: "mine" }, "rename"],
      [{ type: "kill", session: "build" }, "kill"],
    ] as const) {
      expect(await writer.request(refused)).toMatchObject({
        type: "error",
        code: "forbidden",
        message: refusal(verb),
      });
    }
    // What it is for still works, and the session is as its owner left it.
    expect(
      (await writer.request({ type: "input", session: "build", data: "typed-by-link\n" })).type,
    ).not.toBe("error");
    await writer.waitForOutput(id, "typed-by-link");
    // A command the kind does not have fails; the audit says it was tried and failed, not that it ran.
    const unknown = await rest("POST", "/commands/nonesuch", {});
    expect(unknown.status).toBe(400);
    const overSocket = await writer.request({
      type: "command",
      session: "build",
      name: "nonesuch",
      args: {},
    });
    expect(overSocket).toMatchObject({ type: "error", message: unknown.message });
    const { entries } = (await (await as("owner", "/api/audit?session=build")).json()) as {
      entries: { action: string; detail: { command?: string; failed?: string } }[];
    };
    const tried = entries.filter(
      (entry) => entry.action === "command" && entry.detail.command === "nonesuch",
    );
    // Before: two rows `command nonesuch` with nothing saying that it failed.
    expect(tried.map((entry) => entry.detail.failed)).toEqual([unknown.message, unknown.message]);
    const info = (await (await as("owner", "/api/sessions/build")).json()) as {
      session: { name: string; status: string };
    };
    expect(info.session).toMatchObject({ name: "build", status: "running" });
  });

  it("an open connection stops when its link is revoked or expires, or its user is removed", async () => {
    const owner = await socket(hub.key);
    const { id } = (await owner.request({ type: "attach", session: "build", afterSeq: 0 })).session as {
      id: string;
    };
    /** A client attached to build that has seen `marker`, with the credential given. */
    async function watcher(marker: string, headers: Record<string, string>, key?: string) {
      const c = await WireClient.open(hub.url, headers);
      clients.push(c);
      expect((await c.request({ type: "hello", protocol: 1, ...(key ? { key } : {}) })).type).toBe("welcome");
      await c.request({ type: "attach", session: "build", afterSeq: 0, snapshot: false });
      await owner.request({ type: "input", session: "build", data: `${marker}\n` });
      await c.waitForOutput(id, marker);
      return c;
    }
    async function cutOff(c: WireClient, message: RegExp, after: string): Promise<void> {
      const error = await c.waitFor((m) => m.type === "error" && m.code === "unauthorized");
      expect(error.message).toMatch(message);
      await waitFor(() => c.closed);
      await owner.request({ type: "input", session: "build", data: `${after}\n` });
      await owner.waitForOutput(id, after);
      expect(c.output(id)).not.toContain(after);
    }

    const revokedLink = await share({});
    const revoked = await watcher("before-revoke", {
      cookie: (await open(revokedLink.url)).cookie as string,
    });
    // Through the API: the CLI's revoke is the test above's.
    expect((await as("owner", `/api/shares/${revokedLink.id}`, { method: "DELETE" })).status).toBe(200);
    await cutOff(revoked, /share link was revoked or has expired/, "after-revoke");

    const expiring = await share({ expires: "2s" });
    const expired = await watcher("before-expiry", { cookie: (await open(expiring.url)).cookie as string });
    await cutOff(expired, /share link was revoked or has expired/, "after-expiry");

    const add = await as("owner", "/api/users", { method: "POST", body: { name: "leaver", role: "writer" } });
    const { token } = (await add.json()) as { token: string };
    const leaver = await watcher("before-removal", {}, token);
    expect((await as("owner", "/api/users/leaver", { method: "DELETE" })).status).toBe(200);
    await cutOff(leaver, /leaver no longer has access/, "after-removal");
  });

  it("a dead link opened in a browser leads to the web UI, which says why; a script gets JSON", async () => {
    const link = await share({});
    expect((await as("owner", `/api/shares/${link.id}`, { method: "DELETE" })).status).toBe(200);
    const page = await fetch(link.url, { redirect: "manual", headers: { accept: "text/html" } });
    expect(page.status).toBe(302);
    // The page's words for it are test/web/links.test.ts's.
    expect(page.headers.get("location")).toBe("/#share-refused");
    expect(page.headers.get("set-cookie")).toBeNull();
    // One that is not a share link at all gets the hub's page saying so, not JSON.
    const owner = await fetch(`${hub.url}/share/${hub.key}`, {
      redirect: "manual",
      headers: { accept: "text/html" },
    });
    expect(owner.status).toBe(400);
    expect(owner.headers.get("content-type")).toMatch(/^text\/html/);
    const text = await owner.text();
    expect(text).toContain("that is not a share link; sign in on the hub&#39;s front page");
    expect(text).toContain('<a href="/">');
    // A script still gets the error as JSON.
    const script = await fetch(link.url, { redirect: "manual" });
    expect(((await script.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });

  it("shows a link's holder only its own session in the status", async () => {
    const link = await share({});
    const { cookie } = await open(link.url);
    const status = (await (
      await fetch(`${hub.url}/api/status`, { headers: { cookie: cookie as string } })
    ).json()) as {
      hub: { pid: number | null };
      dataDir: string;
      sessions: { total: number; bytes: { name: string }[] };
    };
    expect(status.sessions.total).toBe(1);
    expect(status.sessions.bytes.map((b) => b.name)).toEqual(["build"]);
    expect(status.hub.pid).toBeNull();
    expect(status.dataDir).toBe("");
    const full = (await (await as("owner", "/api/status")).json()) as typeof status;
    expect(full.sessions.total).toBeGreaterThan(1);
    expect(full.hub.pid).toBeGreaterThan(0);
    expect(full.dataDir).not.toBe("");
  });

  it("answers a session it does not reach as one that does not exist, over REST and the WebSocket", async () => {
    await createSession("secret-plans");
    const link = await share({});
    const token = link.url.slice(link.url.indexOf("/share/") + "/share/".length);
    const reaches = (name: string) =>
      `this share link reaches only session 'build', not '${name}'; ask whoever shared it for a link to the session you want`;
    const rest = async (path: string, method = "GET") => {
      const res = await as(token, path, { method, ...(method === "GET" ? {} : { body: {} }) });
      return { status: res.status, error: ((await res.json()) as { error: unknown }).error };
    };
    // Before: 403 "link … has no access to session 'secret-plans'" for the one that exists,
    // 404 "no session 'secret-plan'" for the one that does not.
    for (const name of ["secret-plans", "secret-plan", "buil"]) {
      const answer = { status: 404, error: { code: "not_found", message: reaches(name) } };
      expect(await rest(`/api/sessions/${name}`)).toEqual(answer);
      expect(await rest(`/api/sessions/${name}/input`, "POST")).toEqual(answer);
      expect(await rest(`/api/sessions/${name}/commands/save`, "POST")).toEqual(answer);
    }
    const ws = await socket(token);
    for (const name of ["secret-plans", "secret-plan"]) {
      for (const request of [
        { type: "detach", session: name },
        { type: "attach", session: name, afterSeq: 0 },
        { type: "input", session: name, data: "x" },
      ]) {
        expect(await ws.request(request)).toMatchObject({
          type: "error",
          code: "not_found",
          message: reaches(name),
        });
      }
    }
    // The owner still gets the guess among every session.
    expect(
      ((await (await as("owner", "/api/sessions/secret-plan")).json()) as { error: { message: string } })
        .error.message,
    ).toBe("no session 'secret-plan' — did you mean 'secret-plans'?");
  });

  it("searches its own session's lines up to the limit, however many newer lines others' sessions hold", async () => {
    await createSession("needle-own", ["sh", "-c", "echo needle own; exec cat"]);
    const res = await as("owner", "/api/sessions/needle-own/share", { method: "POST", body: {} });
    const { cookie } = await open(((await res.json()) as { url: string }).url);
    const search = async (headers: Record<string, string>) =>
      (
        (await (await fetch(`${hub.url}/api/search?q=needle&limit=3`, { headers })).json()) as {
          results: { name: string; line: string }[];
        }
      ).results;
    const owner = { authorization: `Bearer ${hub.key}` };
    await waitFor(async () => (await search(owner)).length === 1);
    // Newer matching lines in a session the link does not reach, more than the limit.
    await createSession("needle-other", [
      "sh",
      "-c",
      "for i in 1 2 3 4 5; do echo needle other $i; done; exec cat",
    ]);
    await waitFor(async () => (await search(owner)).every((result) => result.name === "needle-other"));
    expect(await search({ cookie: cookie as string })).toEqual([
      expect.objectContaining({ name: "needle-own", line: "needle own" }),
    ]);
  });

  it("the CLI prints a link that works", async () => {
    const result = await hub.cli(["share", "build"]);
    expect(result.code, result.stderr).toBe(0);
    const url = result.stdout.trim();
    expect(url.startsWith(`${hub.url}/share/`)).toBe(true);
    expect((await open(url)).status).toBe(302);
    expect(result.stderr).toMatch(/read-only link to build/);
  });
});

describe("sockets per person", () => {
  /** A WebSocket upgrade with the viewer's token: opened, or the status and body it was refused with. */
  function upgradeAs(secret: string): Promise<WebSocket | { status: number; body: string }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`${hub.url.replace(/^http/, "ws")}/ws`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      ws.once("open", () => resolve(ws));
      ws.once("unexpected-response", (_request, response) => {
        let body = "";
        response.on("data", (chunk) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: body.trim() }));
      });
    });
  }

  it("refuses a person's 65th open socket, saying why, and takes one again once another closed", async () => {
    // Earlier tests may hold some of the viewer's sockets: open more until the hub says no.
    const open: WebSocket[] = [];
    let refusal: { status: number; body: string } | undefined;
    while (!refusal && open.length <= 64) {
      const ws = await upgradeAs(tokens.viewer);
      if (ws instanceof WebSocket) open.push(ws);
      else refusal = ws;
    }
    try {
      expect(refusal).toEqual({
        status: 429,
        body: "viewer-pat has 64 connections open to this hub, the most one may hold; close some tabs or terminals (an owner can raise DISPATCH_MAX_SOCKETS)",
      });
      // Through hello's key too.
      const c = await WireClient.open(hub.url);
      const refused = await c.request({ type: "hello", protocol: 1, key: tokens.viewer });
      expect(refused).toMatchObject({ type: "error", code: "limit_reached" });
      await waitFor(() => c.closeCode === 4429);
      // Another person, and the access key, are not held back by the viewer's sockets.
      const other = await upgradeAs(tokens.writer);
      expect(other).toBeInstanceOf(WebSocket);
      (other as WebSocket).close();
      const closed = open.pop() as WebSocket;
      closed.close();
      await waitFor(async () => {
        const ws = await upgradeAs(tokens.viewer);
        if (ws instanceof WebSocket) open.push(ws);
        return ws instanceof WebSocket;
      });
    } finally {
      for (const ws of open) ws.close();
    }
  });
});

describe("presence and sizes", () => {
  it("shows who is attached to another client and in `dispatch who`, live", async () => {
    const id = await createSession("pair");
    const watcher = await socket(hub.key);
    await watcher.request({ type: "attach", session: "pair", afterSeq: 0 });
    const viewer = await socket(tokens.viewer);
    await viewer.request({ type: "attach", session: "pair", afterSeq: 0 });
    const seen = await watcher.waitFor(
      (m) =>
        m.type === "presence" &&
        m.session === id &&
        (m.presence as { name: string }[]).some((p) => p.name === "viewer-pat"),
    );
    expect(seen.presence).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "owner", role: "owner" }),
        expect.objectContaining({ name: "viewer-pat", role: "viewer" }),
      ]),
    );
    const who = await hub.cli(["who", "pair"]);
    expect(who.stdout).toMatch(/viewer-pat\s+viewer/);
    const count = watcher.received.json.length;
    await viewer.request({ type: "detach", session: "pair" });
    await watcher.waitFor(
      (m) =>
        watcher.received.json.indexOf(m) >= count &&
        m.type === "presence" &&
        !(m.presence as { name: string }[]).some((p) => p.name === "viewer-pat"),
    );
    expect((await hub.cli(["who", "pair"])).stdout).not.toMatch(/viewer-pat/);
  });

  it("takes the latest writer's size, returns to the other's when it leaves, ignores viewers", async () => {
    await createSession("sized");
    const big = await socket(hub.key);
    await big.request({ type: "attach", session: "sized", afterSeq: 0, cols: 120, rows: 40 });
    await waitFor(async () => (await sessionSize("sized")) === "120x40");
    const small = await socket(tokens.writer);
    await small.request({ type: "attach", session: "sized", afterSeq: 0, cols: 70, rows: 20 });
    await waitFor(async () => (await sessionSize("sized")) === "70x20");
    // A viewer attaching with its own size changes nothing.
    const viewer = await socket(tokens.viewer);
    await viewer.request({ type: "attach", session: "sized", afterSeq: 0, cols: 30, rows: 8 });
    // The big client types: it is now the most recently active writer.
    await big.request({ type: "input", session: "sized", data: "hi\n" });
    await waitFor(async () => (await sessionSize("sized")) === "120x40");
    await small.request({ type: "input", session: "sized", data: "me\n" });
    await waitFor(async () => (await sessionSize("sized")) === "70x20");
    await small.close();
    await waitFor(async () => (await sessionSize("sized")) === "120x40");
  });
});

describe("a role changed while connected", () => {
  it("takes effect on the open connection: a lowered writer's size stops counting, presence says viewer", async () => {
    await createSession("demoted");
    const add = await as("owner", "/api/users", {
      method: "POST",
      body: { name: "lowered", role: "writer" },
    });
    const { token } = (await add.json()) as { token: string };
    const owner = await socket(hub.key);
    await owner.request({ type: "attach", session: "demoted", afterSeq: 0, cols: 120, rows: 40 });
    await waitFor(async () => (await sessionSize("demoted")) === "120x40");
    const lowered = await socket(token);
    await lowered.request({ type: "attach", session: "demoted", afterSeq: 0, cols: 70, rows: 20 });
    await waitFor(async () => (await sessionSize("demoted")) === "70x20");

    expect(
      (await as("owner", "/api/users/lowered", { method: "PATCH", body: { role: "viewer" } })).status,
    ).toBe(200);
    // The session goes back to the one writer left; the lowered person is shown as a viewer.
    await waitFor(async () => (await sessionSize("demoted")) === "120x40");
    const { presence } = (await (await as("owner", "/api/sessions/demoted/presence")).json()) as {
      presence: { name: string; role: string }[];
    };
    expect(presence.find((p) => p.name === "lowered")?.role).toBe("viewer");
    const typed = await lowered.request({ type: "input", session: "demoted", data: "x" });
    expect(typed.type).toBe("error");
  });

  it("tells the person's open connections their new role on each attached session, and only on a change", async () => {
    const id = await createSession("regraded");
    const add = await as("owner", "/api/users", {
      method: "POST",
      body: { name: "regraded", role: "writer" },
    });
    const { token } = (await add.json()) as { token: string };
    const attached = await socket(token);
    await attached.request({ type: "attach", session: "regraded", afterSeq: 0 });
    // Another connection of the same person, attached to nothing: told of the global role only.
    const idle = await socket(token);
    const roles = (c: WireClient) => c.received.json.filter((m) => m.type === "role");
    const setRole = async (body: Record<string, unknown>) =>
      expect((await as("owner", "/api/users/regraded", { method: "PATCH", body })).status).toBe(200);

    await setRole({ role: "viewer" });
    await waitFor(() => roles(attached).length === 1 && roles(idle).length === 1);
    expect(roles(attached)[0]).toMatchObject({ session: id, role: "viewer", principal: { role: "viewer" } });
    expect(roles(idle)[0]).toMatchObject({ role: "viewer", principal: { name: "regraded", role: "viewer" } });
    expect(roles(idle)[0]).not.toHaveProperty("session");

    // A write grant on this one session: the attached connection may type again, and is told so;
    // so is the idle one, not attached there (its list marks the session writable again).
    await setRole({ role: "writer", session: "regraded" });
    await waitFor(() => roles(attached).length === 2 && roles(idle).length === 2);
    expect(roles(attached)[1]).toMatchObject({ session: id, role: "writer" });
    expect(roles(idle)[1]).toMatchObject({ session: id, role: "writer" });
    await attached.request({ type: "input", session: "regraded", data: "typed-again\n" });
    await attached.waitForOutput(id, "typed-again");

    // A change that leaves this person's roles as they were (someone else's) tells them nothing.
    await as("owner", "/api/users/viewer-pat", { method: "PATCH", body: { role: "viewer" } });
    const ping = await attached.request({ type: "ping" });
    expect(ping.type).toBe("pong");
    expect(roles(attached)).toHaveLength(2);
    expect(roles(idle)).toHaveLength(2);
  });
});

describe("audit", () => {
  it("records a scripted day: who signed in, created, attached, typed, resized, renamed, shared, killed", async () => {
    const start = Date.now();
    const alice = await as("owner", "/api/users", {
      method: "POST",
      body: { name: "alice", role: "writer" },
    });
    const aliceToken = ((await alice.json()) as { token: string }).token;
    expect(
      (
        await fetch(`${hub.url}/api/login`, {
          method: "POST",
          body: JSON.stringify({ key: "nope" }),
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(401);
    const c = await socket(aliceToken);
    const created = await c.request({ type: "create", session: { name: "day", command: ["cat"] } });
    const id = (created.data as { session: { id: string } }).session.id;
    await waitFor(
      async () =>
        ((await (await as("owner", "/api/sessions/day")).json()) as { session: { status: string } }).session
          .status === "running",
    );
    await c.request({ type: "attach", session: "day", afterSeq: 0, cols: 80, rows: 24 });
    for (const key of ["l", "s", "\n"]) await c.request({ type: "input", session: "day", data: key });
    await c.request({ type: "resize", session: "day", cols: 100, rows: 30 });
    await c.request({ type: "rename", session: "day", name: "night" });
    await as("owner", "/api/sessions/night/share", { method: "POST", body: { expires: "1h" } });
    await as("owner", "/api/users/alice", { method: "PATCH", body: { role: "viewer", session: "night" } });
    await as("owner", "/api/users/alice", { method: "PATCH", body: { role: "writer", session: "night" } });
    await c.request({ type: "detach", session: "night" });
    await c.request({ type: "kill", session: "night" });

    // Two reads of the same trail, side by side (each is a Node boot).
    const [result, recent] = await Promise.all([
      hub.cli(["audit", "--session", "night", "--json"]),
      hub.cli(["audit", "--since", "1m"]),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const entries = result.stdout
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as { actor: string; action: string; address: string; session: string; ts: number },
      );
    expect(entries.map((e) => `${e.actor} ${e.action}`)).toEqual([
      "alice create",
      "alice attach",
      "alice input",
      "alice resize",
      "alice rename",
      "owner share",
      "owner role",
      "owner role",
      "alice detach",
      "alice kill",
    ]);
    expect(entries.every((e) => e.session === id && e.address.includes("127.0.0.1") && e.ts >= start)).toBe(
      true,
    );
    expect(recent.stdout).toMatch(/alice\s+sign-in\s+.*127\.0\.0\.1/);
    expect(recent.stdout).toMatch(/unknown\s+sign-in-failed/);
    expect(recent.stdout).toMatch(/owner\s+user-add\s+.*user=alice/);
    // Not the owner: refused.
    const refused = await as(aliceToken, "/api/audit");
    expect(refused.status).toBe(403);
  });
});

describe("people in the CLI's words", () => {
  it("names sessions in grants and the audit trail, and says what a grant change did", async () => {
    const [id, added] = await Promise.all([
      createSession("words"),
      hub.cli(["users", "add", "bob", "--role", "viewer"]),
    ]);
    expect(added.code, added.stderr).toBe(0);
    const granted = await hub.cli(["users", "role", "bob", "writer", "--session", "words"]);
    expect(granted.stdout.trim()).toBe("bob is a writer on words (a viewer elsewhere)");
    const users = await hub.cli(["users"]);
    expect(users.stdout).toMatch(/^bob\s+viewer\s+-\s+words=writer$/m);
    expect(users.stdout).not.toContain(id);
    // By id or by name alike, the sentence names the session and what bob is there now.
    const dropped = await hub.cli(["users", "role", "bob", "none", "--session", id]);
    expect(dropped.stdout.trim()).toBe(
      "bob's grant on words removed; bob is a viewer there (their global role)",
    );
    const again = await hub.cli(["users", "role", "bob", "none", "--session", "words"]);
    expect(again.stdout.trim()).toBe("bob had no grant on words; bob is a viewer there (their global role)");

    const audit = await hub.cli(["audit", "--session", "words"]);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/owner\s+role\s+\S+\s+words\s+user=bob role=writer/);
    expect(audit.stdout).not.toContain(id);
  });

  it("refuses an audit of a session that never was, and still finds a removed one by its id", async () => {
    const id = await createSession("brief");
    // Two refusals that change nothing, side by side (each is a Node boot).
    const [typo, unknown] = await Promise.all([
      hub.cli(["audit", "--session", "breif"]),
      hub.cli(["audit", "--session", "nothing-like-it"]),
    ]);
    expect(typo.code).toBe(1);
    expect(typo.stderr.trim()).toBe("dispatch: no session 'breif' — did you mean 'brief'?");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      "dispatch: no session 'nothing-like-it'; a session removed since is named by its id, as `dispatch audit` shows it",
    );
    // Killed (it ends), then removed (a second kill of an ended session removes it).
    expect((await as("owner", "/api/sessions/brief", { method: "DELETE" })).status).toBe(200);
    await waitFor(async () => {
      const res = await as("owner", "/api/sessions/brief");
      return ((await res.json()) as { session: { status: string } }).session.status !== "running";
    });
    expect((await as("owner", "/api/sessions/brief", { method: "DELETE" })).status).toBe(200);
    expect((await as("owner", "/api/sessions/brief")).status).toBe(404);
    const removed = await hub.cli(["audit", "--session", id]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(new RegExp(`owner\\s+kill\\s+\\S+\\s+${id}\\s+name=brief`));
  });
});
