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
/** The sentence between two people, `whose` naming their cells ("ada's cell waits behind your cell"). */
function between(whose: string): RegExp {
  return new RegExp(
    `^${whose} running since \\d\\d:\\d\\d:\\d\\d: \`while not __import__\\("os"\\)\\.path\\.exists\\(.*…\`\\.$`,
  );
}

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
    const named = (whose: string) => between(`ada's cell waits behind ${whose} cell`);
    try {
      // The owner reads the cell that runs as theirs; anyone else, as the owner's.
      await expectWaiting(cardsOf(a.page, "people"), "ada's cell waiting on the owner's page", named("your"));
      await expectWaiting(
        cardsOf(viewer.page, "people"),
        "ada's cell waiting on the viewer's page",
        named("owner's"),
      );
      // From the log alone, after a reload.
      await a.page.reload();
      await expectWaiting(cardsOf(a.page, "people"), "ada's cell waiting on a reloaded page", named("your"));
    } finally {
      release();
    }
    expect((await rest).result.status).toBe("ok");
    expect(a.problems).toEqual([]);
    expect(viewer.problems).toEqual([]);
  }, 240_000);

  it("tells the people of two share links which waiting or running cell is their own", async () => {
    const created = await web.hub.cli(["new", "--kernel", "python3", "--name", "links"]);
    expect(created.code, created.stderr).toBe(0);
    const [first, second] = await Promise.all(
      [1, 2].map(async () => {
        const made = await web.hub.api("/api/sessions/links/share", {
          method: "POST",
          body: JSON.stringify({ write: true }),
        });
        return (await made.json()) as { share: { id: string }; token: string; url: string };
      }),
    );
    if (!first || !second) throw new Error("two share links");
    const evalAs = (token: string, code: string) =>
      fetch(`${web.hub.url}/api/sessions/links/commands/eval`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ code, mode: "do" }),
      }).then(async (response) => (await response.json()) as { result: { status: string } });
    // The first link's long cell runs until the file appears; the second link's waits behind it.
    const file = join(dir, "links");
    const long = evalAs(
      first.token,
      `while not __import__("os").path.exists(${JSON.stringify(file)}): __import__("time").sleep(0.05)`,
    );
    const pages = await Promise.all([first, second].map(({ url }) => web.page({ url, fresh: true })));
    try {
      const [onFirst, onSecond] = pages.map((opened) => cardsOf(opened.page, "links"));
      if (!onFirst || !onSecond) throw new Error("two pages");
      await waitFor(async () => (await onFirst.first().getAttribute("data-status")) === "running", {
        timeoutMs: KERNEL_MS,
        message: "the first link's long cell running",
      });
      const waiting = evalAs(second.token, WAITING);
      // The names a link's holder never saw, but their own cell is "your cell".
      const name = (link: { share: { id: string } }) => `link ${link.share.id.slice(0, 8)}`;
      await expectWaiting(
        onFirst,
        "the second link's cell waiting on the first link's page",
        between(`${name(second)}'s cell waits behind your cell`),
      );
      await expectWaiting(
        onSecond,
        "the second link's cell waiting on its own page",
        between(`Your cell waits behind ${name(first)}'s cell`),
      );
      writeFileSync(file, "");
      expect((await waiting).result.status).toBe("ok");
      expect((await long).result.status).toBe("ok");
      for (const opened of pages) expect(opened.problems).toEqual([]);
    } finally {
      writeFileSync(file, "");
    }
  }, 240_000);
});
