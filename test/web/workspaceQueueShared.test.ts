/**
 * A cell waiting its turn shows on every page of the image, not only on the one that sent it:
 * the host's `eval-queued` carries the cell's code, so a page that did not send it, a viewer's
 * page (which gets no "Take it out of the queue") and a reloaded page all show it waiting,
 * behind which cell and since when; once its turn comes the mark goes and its output shows on
 * each. Taken out of the queue from a page that did not send it, it goes on every page
 * (`eval-withdrawn`) and never runs. Before, only the sending page knew the cell waited. Sent
 * by another person than the running cell's, the card says whose cells they are.
 *
 * Real hub, host, web UI and Debian's python3 kernel. Page A runs the long cell, held until the
 * test lets it go (a file appears), so nothing is timed; the waiting cell comes over REST.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../harness.js";
import { webSuite } from "./browser.js";
import { personPage } from "./personPage.js";

const dir = mkdtempSync(join(tmpdir(), "dispatch-queue-shared-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Kernel start and evaluations on 2 shared cores: generous, since nothing here is timed. */
const KERNEL_MS = 60_000;
const WAITING = 'print("after", 6 * 7)';
const SENTENCE =
  /^Waiting its turn behind the cell running since \d\d:\d\d:\d\d: `while not __import__\("os"\)\.path\.exists\(.*…`\.$/;

describe("web workspace: a waiting cell on every page", () => {
  const web = webSuite();

  function cardsOf(page: Page, name: string): Locator {
    return page
      .getByRole("region", { name: `Workspace ${name}` })
      .getByRole("log", { name: "Evaluations" })
      .locator("article");
  }

  async function count(cards: Locator, n: number, what: string): Promise<void> {
    await waitFor(async () => (await cards.count()) === n, { timeoutMs: KERNEL_MS, message: what });
  }

  /**
   * Workspace `name` in page A (signed in as the owner), running A's long cell until
   * `release()`; a viewer's token; and a cell sent over REST, waiting behind the long one: by
   * the owner, or by the person whose token `sender` is.
   */
  async function waitingBehindPage(name: string, sender?: string) {
    const created = await web.hub.cli(["new", "--kernel", "python3", "--name", name]);
    expect(created.code, created.stderr).toBe(0);
    const added = await web.hub.api("/api/users", {
      method: "POST",
      body: JSON.stringify({ name: `viewer-${name}`, role: "viewer" }),
    });
    const { token } = (await added.json()) as { token: string };
    const a = await web.page({ signedIn: true });
    await a.page.locator(`[data-session="${name}"] button.select`).click();
    const ws = a.page.getByRole("region", { name: `Workspace ${name}` });
    await waitFor(
      async () => (await ws.getByRole("status", { name: "Execution state" }).textContent())?.includes("idle"),
      { timeoutMs: KERNEL_MS, message: "the kernel idle" },
    );
    const file = join(dir, name);
    await ws.locator(".cm-content").click();
    await a.page.keyboard.insertText(
      `while not __import__("os").path.exists(${JSON.stringify(file)}): __import__("time").sleep(0.05)`,
    );
    await a.page.keyboard.press("Control+Enter");
    const cards = cardsOf(a.page, name);
    await count(cards, 1, "page A's long cell shown");
    await waitFor(async () => (await cards.first().getAttribute("data-status")) === "running", {
      timeoutMs: KERNEL_MS,
      message: "page A's long cell running",
    });
    // Sent by nobody's page: over REST, with no ref of its own.
    const rest = fetch(`${web.hub.url}/api/sessions/${name}/commands/eval`, {
      method: "POST",
      headers: { authorization: `Bearer ${sender ?? web.hub.key}`, "content-type": "application/json" },
      body: JSON.stringify({ code: WAITING, mode: "do" }),
    }).then(
      async (response) =>
        (await response.json()) as { result: { status: string; error?: { ename: string } } },
    );
    return { a, cards, token, rest, release: () => writeFileSync(file, "") };
  }

  /** The second card waits: its code, behind the long cell, as `sentence` says. */
  async function expectWaiting(cards: Locator, what: string, sentence = SENTENCE): Promise<Locator> {
    await count(cards, 2, what);
    const waiting = cards.nth(1);
    expect(await waiting.getAttribute("data-status")).toBe("waiting");
    expect(await waiting.locator(".code").textContent()).toBe(WAITING);
    expect(await waiting.getByRole("status").textContent()).toMatch(sentence);
    return waiting;
  }

  it("shows on a page that did not send it, a viewer's and a reloaded one, then runs", async () => {
    const { a, cards, token, rest, release } = await waitingBehindPage("shared");
    const viewer = await personPage(web, token, "shared");
    const viewerCards = cardsOf(viewer.page, "shared");
    try {
      const onA = await expectWaiting(cards, "the REST cell waiting on page A");
      expect(await onA.getByRole("button", { name: "Take it out of the queue" }).count()).toBe(1);
      // The viewer's page loaded after the cell joined the queue: from the log alone.
      const onViewer = await expectWaiting(viewerCards, "the REST cell waiting on the viewer's page");
      expect(await onViewer.getByRole("button", { name: "Take it out of the queue" }).count()).toBe(0);
      await a.page.reload();
      await expectWaiting(cardsOf(a.page, "shared"), "the REST cell waiting on page A, reloaded");
    } finally {
      release();
    }

    // Its turn comes: on each page the mark goes, its output shows under it.
    expect((await rest).result.status).toBe("ok");
    for (const shown of [cardsOf(a.page, "shared"), viewerCards]) {
      const second = shown.nth(1);
      await waitFor(async () => (await second.getAttribute("data-status")) === "ok", {
        timeoutMs: KERNEL_MS,
        message: "the REST cell run",
      });
      expect(await second.locator('[data-output="stream"]').textContent()).toBe("after 42\n");
      expect(await second.getByRole("status").count()).toBe(0);
      expect(await shown.count()).toBe(2);
    }
    expect(a.problems).toEqual([]);
    expect(viewer.problems).toEqual([]);
  }, 240_000);

  it("taken out of the queue from a page that did not send it, goes on every page and never runs", async () => {
    const { a, cards, token, rest, release } = await waitingBehindPage("taken");
    const viewer = await personPage(web, token, "taken");
    const viewerCards = cardsOf(viewer.page, "taken");
    try {
      const onA = await expectWaiting(cards, "the REST cell waiting on page A");
      await expectWaiting(viewerCards, "the REST cell waiting on the viewer's page");
      await onA.getByRole("button", { name: "Take it out of the queue" }).click();
      // Its client hears that it never ran; page A's long cell was not touched.
      const answer = await rest;
      expect(answer.result).toMatchObject({ status: "aborted", error: { ename: "Cancelled" } });
      await count(cards, 1, "the card gone on page A");
      await count(viewerCards, 1, "the card gone on the viewer's page");
      expect(await cards.first().getAttribute("data-status")).toBe("running");
    } finally {
      release();
    }
    await waitFor(async () => (await cards.first().getAttribute("data-status")) === "ok", {
      timeoutMs: KERNEL_MS,
      message: "page A's long cell done",
    });
    expect(await cards.count()).toBe(1);
    // A reload shows it no more: the log says it never ran. (The long cell's end comes after
    // the withdrawal in the log: once the page shows it, the withdrawal was read too.)
    await viewer.page.reload();
    const reloaded = cardsOf(viewer.page, "taken");
    await waitFor(async () => (await reloaded.first().getAttribute("data-status")) === "ok", {
      timeoutMs: KERNEL_MS,
      message: "the viewer's reloaded page showing the long cell done",
    });
    expect(await reloaded.count()).toBe(1);
    expect(await a.page.getByRole("log", { name: "Evaluations" }).textContent()).not.toContain("after 42");
    expect(a.problems).toEqual([]);
    expect(viewer.problems).toEqual([]);
  }, 240_000);

  it("says whose cells they are when another person's cell waits behind the owner's", async () => {
    const added = await web.hub.api("/api/users", {
      method: "POST",
      body: JSON.stringify({ name: "ada", role: "writer" }),
    });
    const { token: ada } = (await added.json()) as { token: string };
    const { a, token, rest, release } = await waitingBehindPage("people", ada);
    const viewer = await personPage(web, token, "people");
    const named =
      /^ada's cell waits behind owner's cell running since \d\d:\d\d:\d\d: `while not __import__\("os"\)\.path\.exists\(.*…`\.$/;
    try {
      await expectWaiting(cardsOf(a.page, "people"), "ada's cell waiting on the owner's page", named);
      await expectWaiting(cardsOf(viewer.page, "people"), "ada's cell waiting on the viewer's page", named);
      // From the log alone, after a reload.
      await a.page.reload();
      await expectWaiting(cardsOf(a.page, "people"), "ada's cell waiting on a reloaded page", named);
    } finally {
      release();
    }
    expect((await rest).result.status).toBe("ok");
    expect(a.problems).toEqual([]);
    expect(viewer.problems).toEqual([]);
  }, 240_000);
});
