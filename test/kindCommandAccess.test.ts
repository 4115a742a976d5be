/**
 * What a kind's verbs take, on a real hub with a real kernel: a write share link runs cells in
 * its workspace but may not restart its kernel (that loses the kernel's state, as a kill
 * would), nor may a viewer; `/api/kinds` says which verbs are which, so a client offers only
 * what it may run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

let hub: HubHandle;

function command(name: string, args: unknown, token = hub.key): Promise<Response> {
  return fetch(`${hub.url}/api/sessions/nb/commands/${name}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(args),
  });
}

async function refusal(response: Response): Promise<{ status: number; message?: string }> {
  const body = (await response.json()) as { error?: { message: string } };
  return { status: response.status, message: body.error?.message };
}

async function kernelPid(): Promise<number> {
  const response = await command("stats", {});
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { result: { pid: number } }).result.pid;
}

beforeAll(async () => {
  hub = await startHub();
  const created = await hub.cli(["new", "--kernel", "python3", "--name", "nb"]);
  expect(created.code, created.stderr).toBe(0);
  await waitFor(
    async () => {
      const response = await hub.api("/api/sessions/nb");
      const { session } = (await response.json()) as { session: { options: { connection?: string } } };
      return session.options.connection === "connected";
    },
    { timeoutMs: 60_000, message: "the kernel connected" },
  );
  // A kernel's start on a loaded machine may take most of a minute.
}, 120_000);

afterAll(cleanupAll);

describe("a workspace's controlling verbs", () => {
  it("a write link runs cells but may not restart the kernel; neither may a viewer", async () => {
    const shared = await hub.api("/api/sessions/nb/share", {
      method: "POST",
      body: JSON.stringify({ write: true }),
    });
    expect(shared.status, await shared.clone().text()).toBe(201);
    const link = ((await shared.json()) as { token: string }).token;
    const added = await hub.api("/api/users", {
      method: "POST",
      body: JSON.stringify({ name: "vic", role: "viewer" }),
    });
    expect(added.status, await added.clone().text()).toBe(201);
    const viewer = ((await added.json()) as { token: string }).token;

    const ran = await command("eval", { code: "kept = 41 + 1", mode: "do" }, link);
    expect(ran.status, await ran.clone().text()).toBe(200);
    const pid = await kernelPid();

    expect(await refusal(await command("restart", {}, link))).toEqual({
      status: 403,
      message: "a share link may type into 'nb' but not restart its kernel; ask its owner",
    });
    expect(await refusal(await command("restart", {}, viewer))).toEqual({
      status: 403,
      message: "viewers of 'nb' cannot restart its kernel; ask its owner for write access",
    });
    // Nothing was restarted: the same kernel, its state kept.
    expect(await kernelPid()).toBe(pid);
    const printed = await command("eval", { code: "kept", mode: "print" }, link);
    expect(JSON.stringify(await printed.json())).toContain("42");
  });

  it("/api/kinds says which verbs only watch, which type and which control", async () => {
    const response = await hub.api("/api/kinds");
    const { kinds } = (await response.json()) as {
      kinds: { name: string; commands: { name: string; access: string }[] }[];
    };
    const access = (kind: string, verb: string) =>
      kinds.find((k) => k.name === kind)?.commands.find((c) => c.name === verb)?.access;
    expect(access("workspace", "restart")).toBe("control");
    expect(access("workspace", "eval")).toBe("input");
    expect(access("workspace", "interrupt")).toBe("input");
    expect(access("workspace", "history")).toBe("read");
    expect(access("chat", "export")).toBe("read");
  });
});
