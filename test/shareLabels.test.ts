/**
 * Share links with a label (`dispatch share NAME --label ada`) on a real hub: `share ls` shows
 * it, the holder connected over a real WebSocket with the link's token is named `ada (link)` by
 * `dispatch who` and the audit, a link without one keeps `link <id>`, and a bad label is refused
 * by the CLI and by the REST API alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { WireClient } from "./wire.js";

let hub: HubHandle;
const clients: WireClient[] = [];

beforeAll(async () => {
  hub = await startHub({ env: { DISPATCH_KEY: "share-label-test-key-123456" } });
  const made = await fetch(`${hub.url}/api/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${hub.key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "build", command: ["cat"] }),
  });
  expect(made.status, await made.clone().text()).toBe(201);
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await cleanupAll();
});

/** Shares `build` through the CLI; the link's token (the last part of its url). */
async function share(...flags: string[]): Promise<string> {
  const made = await hub.cli(["share", "build", ...flags]);
  expect(made.code, made.stderr).toBe(0);
  return made.stdout.trim().split("/").at(-1) as string;
}

/** Attaches to `build` over the WebSocket as the link's holder. */
async function attachWith(token: string): Promise<void> {
  const c = await WireClient.open(hub.url);
  clients.push(c);
  const welcome = await c.request({ type: "hello", protocol: 1, key: token });
  expect(welcome.type, JSON.stringify(welcome)).toBe("welcome");
  const attached = await c.request({ type: "attach", session: "build", afterSeq: 0, snapshot: false });
  expect(attached.type, JSON.stringify(attached)).toBe("attached");
}

describe("share link labels", () => {
  it("names the holder by the label in `share ls`, `who` and the audit; an unlabelled link by its id", async () => {
    const labelled = await share("--write", "--label", "ada");
    const plain = await share();

    const listed = await hub.cli(["share", "ls"]);
    expect(listed.stdout).toMatch(/build\s+ada\s+writer/);
    expect(listed.stdout).toMatch(/build\s+-\s+viewer/);

    await attachWith(labelled);
    await attachWith(plain);
    let who = "";
    await waitFor(async () => {
      who = (await hub.cli(["who", "build"])).stdout;
      return who.includes("ada (link)") && who.includes("link ");
    });
    expect(who).toMatch(/^ada \(link\)\s+writer/m);
    expect(who).toMatch(/^link [0-9a-f]{8}\s+viewer/m);

    const audit = await hub.cli(["audit", "--session", "build"]);
    expect(audit.stdout).toMatch(/ ada \(link\) {2}attach /);
    expect(audit.stdout).toMatch(/ share .* label=ada/);
  });

  it("refuses a label that is empty, too long or not printable, saying what a label may be", async () => {
    const [empty, bell] = await Promise.all([
      hub.cli(["share", "build", "--label", "  "]),
      hub.cli(["share", "build", "--label", "ada\u0007"]),
    ]);
    for (const refused of [empty, bell]) {
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/a share label is 1-40 printable characters/);
    }
    const long = await fetch(`${hub.url}/api/sessions/build/share`, {
      method: "POST",
      headers: { authorization: `Bearer ${hub.key}`, "content-type": "application/json" },
      body: JSON.stringify({ label: "a".repeat(41) }),
    });
    expect(long.status).toBe(400);
    expect(await long.text()).toMatch(/a share label is 1-40 printable characters/);
    const listed = await hub.cli(["share", "ls", "--json"]);
    expect((JSON.parse(listed.stdout) as { label: string | null }[]).map((s) => s.label)).not.toContain(
      "a".repeat(41),
    );
  });
});
