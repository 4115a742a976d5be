/**
 * A program's output reaches the host in reads that end wherever the PTY's buffer did: inside a
 * UTF-8 character or an escape sequence. A client attaching from the screen taken at such a
 * point (during a flood, the streaming snapshot; here, a program pausing there) must still end
 * at the program's screen. Real hub, host, PTYs and store.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";
import { renderScreen } from "./screen.js";
import { helloClient, type WireClient } from "./wire.js";

const clients: WireClient[] = [];
let hub: HubHandle | undefined;

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await hub?.stop();
  hub = undefined;
});
afterAll(cleanupAll);

const client = (h: HubHandle) => helloClient(h, clients);

describe("output cut inside a character or an escape sequence", () => {
  it("shows a client attaching at the cut the character and the colour, not � and the sequence's tail", async () => {
    const h = await startHub();
    hub = h;
    const file = (name: string) => join(h.home, name);
    const wait = (name: string) => `while [ ! -f ${file(name)} ]; do sleep 0.05; done`;
    // `漢` is \346\274\242; the red is ESC [ 3 1 m. Each pause comes after the first part.
    const script =
      `printf 'start \\346\\274'; touch ${file("half")}; ${wait("go")}; ` +
      `printf '\\242 after \\033[3'; touch ${file("third")}; ${wait("go2")}; ` +
      `printf '1mRED\\033[0m done'; sleep 120`;
    const res = await h.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ command: ["sh", "-c", script], cols: 80, rows: 24 }),
    });
    expect(res.status).toBe(201);
    const s = (await res.json()).session as { id: string; name: string };

    // Each client attaches for the current screen once the first part is stored.
    const attachAt = async (marker: string, stored: string): Promise<WireClient> => {
      await waitFor(() => existsSync(file(marker)), {
        timeoutMs: 20_000,
        message: `the program to reach ${marker}`,
      });
      await waitFor(async () => (await storedOutput(h, s.name)).includes(stored), {
        timeoutMs: 20_000,
        message: `"${stored}" to be stored`,
      });
      const c = await client(h);
      await c.request({ type: "attach", session: s.id, afterSeq: 0, snapshot: true });
      await waitFor(() => c.stream(s.id)[0]?.kind === "snapshot", { message: "a snapshot first" });
      return c;
    };
    const atCharacter = await attachAt("half", "start ");
    writeFileSync(file("go"), "");
    const atSequence = await attachAt("third", "after ");
    writeFileSync(file("go2"), "");
    for (const c of [atCharacter, atSequence]) await c.waitForOutput(s.id, "done", 20_000);

    const whole = await client(h);
    await whole.request({ type: "attach", session: s.id, afterSeq: 0, snapshot: false });
    await whole.waitForOutput(s.id, "done", 20_000);
    const expected = await renderScreen(whole, s.id, 80, 24);
    expect(expected).toBe("start 漢 after RED done");
    expect(await renderScreen(atCharacter, s.id, 80, 24)).toBe(expected);
    expect(await renderScreen(atSequence, s.id, 80, 24)).toBe(expected);
  }, 90_000);
});
