/**
 * A snapshot replaces the browser terminal's screen, and with it what the stream decoder held:
 * a live frame can end inside a UTF-8 character (a session's last output before it exited, or
 * a string longer than the host's look-back), and the bytes the decoder kept for it belong to
 * the screen the snapshot replaced. Kept, they were decoded with the first output after the
 * snapshot and drew `�` in place of its first character.
 *
 * Real hub, host, PTY and web UI; the test sits on the page's WebSocket (playwright's
 * `routeWebSocket`), passes everything through, and adds such a frame and a snapshot of the
 * hub's where a lagging client would get them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { WebSocketRoute } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { encodeOutputFrame } from "../../src/protocol/frames.js";
import { waitFor } from "../harness.js";
import { helloClient, type WireClient } from "../wire.js";
import { newContext, terminalLines, waitForLine, webSuite } from "./browser.js";

const clients: WireClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
});

describe("web terminal: a snapshot after a frame cut inside a character", () => {
  const web = webSuite();

  it("draws the first character after the snapshot, not �", async () => {
    const go = join(web.hub.home, "snapshot-decoder-go");
    const script = `printf 'before\\n'; while [ ! -f ${go} ]; do sleep 0.05; done; printf '字 after\\n'; exec sleep 600`;
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "cut", command: ["sh", "-c", script], cols: 80, rows: 24 }),
    });
    expect(created.status).toBe(201);
    const session = (await created.json()).session as { id: string };

    // The page's socket, passed through both ways; `toPage` adds frames of the test's own.
    const context = await newContext(web.browser);
    let toPage: WebSocketRoute | undefined;
    await context.routeWebSocket(/\/ws$/, (ws) => {
      const hub = ws.connectToServer();
      ws.onMessage((message) => hub.send(message));
      hub.onMessage((message) => ws.send(message));
      toPage = ws;
    });
    const { page, problems } = await web.page({ login: true, context });
    await page.locator('[data-session="cut"] button.select').click();
    await waitForLine(page, "cut", /^before$/);
    const seq = await page.evaluate(() => window.__dispatch?.lastSeq("cut") ?? 0);

    // The hub's screen now, as a client more than the lag bound behind is sent it.
    const wire = await helloClient(web.hub, clients);
    await wire.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: true });
    const snapshot = await wire.waitFor((m) => m.type === "snapshot");
    // Events after it (the page's resize) change nothing on the screen.
    expect(snapshot.seq).toBeLessThanOrEqual(seq);

    // A frame ending in the first two bytes of `漢` (\346\274), then the snapshot.
    const route = await waitFor(() => toPage, { message: "the page's socket" });
    route.send(
      Buffer.from(
        encodeOutputFrame({
          session: session.id,
          seq: seq + 1,
          ts: Date.now(),
          data: Buffer.from([0xe6, 0xbc]),
        }),
      ),
    );
    route.send(JSON.stringify(snapshot));
    await page.waitForFunction((at) => window.__dispatch?.lastSeq("cut") === at, snapshot.seq);

    writeFileSync(go, "");
    await waitForLine(page, "cut", /after$/);
    expect((await terminalLines(page, "cut")).filter((line) => line.endsWith("after"))).toEqual(["字 after"]);
    expect(problems).toEqual([]);
  }, 60_000);
});
