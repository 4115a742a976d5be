/**
 * A cell run from the page while another client's long cell runs waits its turn (the host's
 * `eval-queued`): its card says so at once, behind which cell and since when, and once the
 * long cell is done the mark goes and its output shows as usual; taken out of the queue by its
 * card's button or by a restart, the bar says it never ran. Before, the page showed nothing at all until the other
 * cell was done: no sign that Run was taken.
 *
 * Real hub, host, web UI and Debian's python3 kernel; the long cell is `dispatch eval` in
 * another process, held until the test lets it go (a file appears), so nothing is timed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { type CliResult, waitFor } from "../harness.js";
import { webSuite } from "./browser.js";

const dir = mkdtempSync(join(tmpdir(), "dispatch-queue-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Kernel start and evaluations on 2 shared cores: generous, since nothing here is timed. */
const KERNEL_MS = 60_000;

describe("web workspace: a cell waiting behind another client's", () => {
  const web = webSuite();

  /**
   * A workspace `name` shown in a page, running another client's cell until `release()`; then
   * a cell run from the page (the second card).
   */
  async function queueBehindOther(name: string) {
    const created = await web.hub.cli(["new", "--kernel", "python3", "--name", name]);
    expect(created.code, created.stderr).toBe(0);
    const { page, problems } = await web.page({ signedIn: true });
    await page.locator(`[data-session="${name}"] button.select`).click();
    const ws = page.getByRole("region", { name: `Workspace ${name}` });
    const state = ws.getByRole("status", { name: "Execution state" });
    await waitFor(async () => (await state.textContent())?.includes("idle"), {
      timeoutMs: KERNEL_MS,
      message: "the kernel idle",
    });
    const cards = ws.getByRole("log", { name: "Evaluations" }).locator("article");
    const file = join(dir, name);
    const long = `while not __import__("os").path.exists(${JSON.stringify(file)}): __import__("time").sleep(0.05)`;
    const other: Promise<CliResult> = web.hub.cli(["eval", name, long]);
    await waitFor(async () => (await cards.count()) === 1, {
      timeoutMs: KERNEL_MS,
      message: "the other client's cell running",
    });
    expect(await cards.first().getAttribute("data-status")).toBe("running");
    await run(page, name, 'print("after", 6 * 7)');
    return { page, problems, ws, cards, other, release: () => writeFileSync(file, "") };
  }

  async function run(page: Page, name: string, code: string): Promise<void> {
    await page
      .getByRole("region", { name: `Workspace ${name}` })
      .locator(".cm-content")
      .click();
    await page.keyboard.insertText(code);
    await page.keyboard.press("Control+Enter");
  }

  it("says it waits, behind which cell, then runs and shows its output", async () => {
    const { problems, cards, other, release } = await queueBehindOther("queue");
    const mine = cards.nth(1);
    try {
      await waitFor(async () => (await cards.count()) === 2, {
        timeoutMs: KERNEL_MS,
        message: "the page's cell shown",
      });
      expect(await mine.getAttribute("data-status")).toBe("waiting");
      expect(await mine.locator(".code").textContent()).toBe('print("after", 6 * 7)');
      expect(await mine.getByRole("status").textContent()).toMatch(
        /^Waiting its turn behind the cell running since \d\d:\d\d:\d\d: `while not __import__\("os"\)\.path\.exists\(.*…`\.$/,
      );
    } finally {
      release();
    }

    // Its turn comes: the mark goes, its output shows under it.
    await waitFor(async () => (await mine.getAttribute("data-status")) === "ok", {
      timeoutMs: KERNEL_MS,
      message: "the page's cell run",
    });
    expect(await mine.locator('[data-output="stream"]').textContent()).toBe("after 42\n");
    expect(await mine.getByRole("status").count()).toBe(0);
    expect(await cards.count()).toBe(2);
    expect(await cards.first().getAttribute("data-status")).toBe("ok");
    expect((await other).code).toBe(0);
    expect(problems).toEqual([]);
  }, 180_000);

  it("taken out of the queue by a restart, says it never ran", async () => {
    const { ws, cards, other, release } = await queueBehindOther("restart");
    try {
      await waitFor(async () => (await cards.count()) === 2, {
        timeoutMs: KERNEL_MS,
        message: "the page's cell shown waiting",
      });
      expect(await cards.nth(1).getAttribute("data-status")).toBe("waiting");
      await ws.getByRole("button", { name: "Restart" }).click();
      const alert = ws.getByRole("alert");
      await waitFor(async () => (await alert.count()) === 1, {
        timeoutMs: KERNEL_MS,
        message: "the bar saying the cell never ran",
      });
      expect(await alert.textContent()).toContain("never ran (it waited its turn)");
      expect(await cards.count()).toBe(1);
      expect(await cards.first().getAttribute("data-status")).toBe("aborted");
      await other;
    } finally {
      release();
    }
  }, 180_000);

  it("taken out of the queue by its card's button, never runs, and the other cell goes on", async () => {
    const { ws, cards, other, release, problems } = await queueBehindOther("withdraw");
    try {
      await waitFor(async () => (await cards.count()) === 2, {
        timeoutMs: KERNEL_MS,
        message: "the page's cell shown waiting",
      });
      await cards.nth(1).getByRole("button", { name: "Take it out of the queue" }).click();
      const alert = ws.getByRole("alert");
      await waitFor(async () => (await alert.count()) === 1, {
        timeoutMs: KERNEL_MS,
        message: "the bar saying the cell never ran",
      });
      expect(await alert.textContent()).toContain("withdrawn before it started");
      expect(await cards.count()).toBe(1);
      // The other client's cell was not touched: it still runs.
      expect(await cards.first().getAttribute("data-status")).toBe("running");
    } finally {
      release();
    }
    const done = await other;
    expect(done.code, done.stderr).toBe(0);
    await waitFor(async () => (await cards.first().getAttribute("data-status")) === "ok", {
      timeoutMs: KERNEL_MS,
      message: "the other cell done",
    });
    // Never run: nothing printed "after 42".
    expect(await ws.getByRole("log", { name: "Evaluations" }).textContent()).not.toContain("after 42");
    expect(problems).toEqual([]);
  }, 180_000);
});
