/**
 * A viewer of an editor session: the hub refuses the Yjs updates (and cursors) a viewer's
 * connection sends, and the web shows the file read-only, saying why, with no Save. Before,
 * the page let a viewer type: the text changed on their screen only, each keystroke and cursor
 * move came back as a refusal, and Save answered with the hub's error.
 *
 * Real hub, host, editor runtime, WebSockets (one of the test's own, signed in by the viewer's
 * token) and two browser contexts, the owner's and the viewer's.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { waitFor } from "../harness.js";
import { helloClient, type WireClient } from "../wire.js";
import { webSuite } from "./browser.js";
import { personPage } from "./personPage.js";

const root = mkdtempSync(join(tmpdir(), "dispatch-web-editor-viewer-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const clients: WireClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
});

describe("an editor session's viewer", () => {
  const web = webSuite({ env: { DISPATCH_EDITOR_ROOTS: root } });

  it("cannot change the text over the WebSocket, and reads it read-only in the web", async () => {
    const file = join(root, "notes.txt");
    writeFileSync(file, "start\n");
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ kind: "editor", name: "notes", options: { path: file } }),
    });
    expect(created.status).toBe(201);
    const added = await web.hub.api("/api/users", {
      method: "POST",
      body: JSON.stringify({ name: "vic", role: "viewer" }),
    });
    const { token } = (await added.json()) as { token: string };
    const text = async () =>
      ((await (await web.hub.api("/api/sessions/notes/text")).json()) as { text: string }).text;
    await waitFor(async () => (await text()) === "start\n", { message: "the file loaded" });

    // The viewer's own connection sends a valid Yjs update, as a page's edit goes: refused.
    const wire = await helloClient({ url: web.hub.url, key: token }, clients);
    const attached = await wire.request({ type: "attach", session: "notes", afterSeq: 0 });
    expect(attached).toMatchObject({ type: "attached", role: "viewer" });
    const doc = new Y.Doc();
    doc.getText("text").insert(0, "vandal ");
    const update = Buffer.from(Y.encodeStateAsUpdate(doc)).toString("base64");
    const refused = await wire.request({
      type: "input",
      session: "notes",
      data: JSON.stringify({ type: "update", update, client: "vic" }),
    });
    expect(refused).toMatchObject({ type: "error", code: "forbidden" });
    expect(String(refused.message)).toContain("ask its owner for write access");
    expect(await text()).toBe("start\n");

    // The owner's page types; the viewer's page shows it, read-only.
    const owner = await web.page({ signedIn: true });
    await owner.page.locator('[data-session="notes"] button.select').click();
    const { page, problems } = await personPage(web, token, "notes");
    const pane = page.getByRole("region", { name: "Editor notes" });
    await pane.getByRole("note").filter({ hasText: "Read-only: You can watch this session" }).waitFor();
    expect(await pane.getByRole("button", { name: "Save" }).count()).toBe(0);
    const content = pane.locator(".cm-content");
    expect(await content.getAttribute("contenteditable")).toBe("false");

    await owner.page.locator(".cm-content").click();
    await owner.page.keyboard.press("Control+End");
    await owner.page.keyboard.type("by owner");
    await waitFor(async () => (await content.textContent())?.includes("by owner"), {
      message: "the owner's typing on the viewer's page",
    });

    // The viewer types and saves: nothing changes, nothing is refused (nothing was sent).
    await content.click();
    await page.keyboard.type("zz");
    await page.keyboard.press("Control+s");
    expect(await content.textContent()).not.toContain("zz");
    await waitFor(async () => (await text()) === "start\nby owner", {
      message: "the owner's text at the hub",
    });
    expect(await page.getByRole("status").filter({ hasText: "cannot" }).count()).toBe(0);
    expect(problems).toEqual([]);
    expect(owner.problems).toEqual([]);
  }, 240_000);
});
