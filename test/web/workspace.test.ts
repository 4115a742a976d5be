/**
 * A workspace session in the web UI on a real python3 kernel (Debian's python3-ipykernel,
 * started by the real host over ZeroMQ): code typed in the editor runs with Ctrl+Enter and
 * its output shows under it, Ctrl+P prints the value's repr, rich outputs render (Markdown,
 * a PNG, HTML only sanitized), errors show their traceback, the variables list drills into a
 * dict, a second page sees the first one's evaluations live, and a reload restores the text.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { webSuite } from "./browser.js";

/** A 1x1 green PNG, base64. */
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

/** Kernel start and evaluations on 2 shared cores: generous, since nothing here is timed. */
const KERNEL_MS = 30_000;
/**
 * The whole story takes ~45 s alone on 2 busy cores, up to ~85 s beside other browser tests;
 * the default 60 s leaves too little slack. Nothing here is timed.
 */
const TEST_MS = 180_000;

/**
 * Enters one line at the end of the editor and runs it with `keys` (the line under the cursor).
 * The code goes in as one input (see `enterLine`): what runs is under test here, not typing.
 */
async function run(page: Page, name: string, code: string, keys = "Control+Enter"): Promise<void> {
  const editor = page.getByRole("region", { name: `Workspace ${name}` }).locator(".cm-content");
  await editor.click();
  await page.keyboard.press("Control+End");
  const empty = ((await editor.textContent()) ?? "").trim() === "";
  if (!empty) await page.keyboard.press("Enter");
  await page.keyboard.insertText(code);
  await page.keyboard.press(keys);
}

describe("web workspace sessions", () => {
  const web = webSuite({ reuseTabs: true });

  it(
    "evaluates, prints, renders rich outputs, inspects, syncs two pages and restores the buffer",
    async () => {
      const { page, problems } = await web.page({ signedIn: true });
      await page.getByRole("button", { name: "+ New" }).click();
      const dialog = page.getByRole("dialog", { name: "New session" });
      await dialog.getByLabel("Name", { exact: true }).fill("typo");
      await dialog.getByLabel("Kind").selectOption("workspace");
      // A kernel the host does not have: the dialog says so, naming the one meant.
      await dialog.getByLabel("Kernel").fill("pyton3");
      await dialog.getByRole("button", { name: "Create" }).click();
      await expect
        .poll(() => dialog.getByRole("alert").textContent(), { timeout: KERNEL_MS })
        .toContain("python3");
      await dialog.getByLabel("Name", { exact: true }).fill("lab");
      await dialog.getByLabel("Kernel").fill("python3");
      await dialog.getByRole("button", { name: "Create" }).click();
      await page.getByRole("heading", { name: "lab", level: 1 }).waitFor();
      const info = (await (await web.hub.api("/api/sessions/lab")).json()) as { session: { kind: string } };
      expect(info.session.kind).toBe("workspace");

      const ws = page.getByRole("region", { name: "Workspace lab" });
      const state = ws.getByRole("status", { name: "Execution state" });
      await expect.poll(() => state.textContent(), { timeout: KERNEL_MS }).toContain("idle");
      const evals = ws.getByRole("log", { name: "Evaluations" }).locator("article");

      // Do it: the line runs, its output shows under it, with the execution count.
      await run(page, "lab", 'print("hello", 6 * 7)');
      await expect
        .poll(() => evals.last().locator('[data-output="stream"]').textContent(), { timeout: KERNEL_MS })
        .toBe("hello 42\n");
      await expect.poll(() => evals.last().getAttribute("data-status")).toBe("ok");
      expect(await evals.last().locator(".count").textContent()).toBe("[1]");

      // Do it shows no value; print it shows the repr.
      await run(page, "lab", 'd = {"a": [1, 2], "b": {"c": 3}}');
      await expect.poll(() => evals.count()).toBe(2);
      await expect.poll(() => evals.last().getAttribute("data-status"), { timeout: KERNEL_MS }).toBe("ok");
      expect(await evals.last().locator(".outs > *").count()).toBe(0);
      await run(page, "lab", "d", "Control+p");
      await expect
        .poll(() => evals.last().locator('[data-output="text"]').textContent(), { timeout: KERNEL_MS })
        .toBe("{'a': [1, 2], 'b': {'c': 3}}");
      expect(await evals.last().getAttribute("data-mode")).toBe("print");

      // Rich outputs: Markdown as elements, a PNG as an image, HTML sanitized (no script runs).
      await run(
        page,
        "lab",
        `from IPython.display import HTML, Image, Markdown, display; import base64; display(Markdown("**bold** and *more*")); display(Image(data=base64.b64decode("${PNG}"))); display(HTML("<table><tr><td onclick='x()'>cell</td></tr></table><script>window.pwned = 1</script><img src=x onerror='window.pwned = 2'>"))`,
      );
      const rich = evals.last();
      await expect
        .poll(() => rich.locator('[data-output="markdown"] strong').textContent(), { timeout: KERNEL_MS })
        .toBe("bold");
      await expect
        .poll(() =>
          rich.locator('[data-output="image"]').evaluate((img) => (img as HTMLImageElement).naturalWidth),
        )
        .toBe(1);
      expect(await rich.locator('[data-output="html"] td').textContent()).toBe("cell");
      expect(await rich.locator('[data-output="html"] td').getAttribute("onclick")).toBeNull();
      expect(await rich.locator('[data-output="html"] script, [data-output="html"] img').count()).toBe(0);
      expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();

      // An error shows its name, value and traceback.
      await run(page, "lab", "1 / 0");
      await expect.poll(() => evals.last().getAttribute("data-status"), { timeout: KERNEL_MS }).toBe("error");
      expect(await evals.last().locator(".ename").textContent()).toBe("ZeroDivisionError: division by zero");
      expect(await evals.last().locator(".traceback").textContent()).toContain("1 / 0");

      // The variables list shows `d`; drilling into it lists its keys, and into a key its items.
      const tree = ws.getByRole("tree", { name: "Variables" });
      const d = tree.locator('[data-path="d"]');
      await expect
        .poll(() => d.locator(".type").first().textContent(), { timeout: KERNEL_MS })
        .toContain("dict");
      await d.getByRole("button", { name: "Expand d" }).click();
      const children = d.getByRole("group").getByRole("treeitem");
      await expect
        .poll(() => children.locator(".name").allTextContents(), { timeout: KERNEL_MS })
        .toEqual(expect.arrayContaining([expect.stringContaining("a"), expect.stringContaining("b")]));
      const b = children.filter({ hasText: "{'c': 3}" }).first();
      await b.locator("button.twisty").click();
      await expect
        .poll(() => b.getByRole("group").locator(".repr").allTextContents(), { timeout: KERNEL_MS })
        .toContain("3");

      // Inspect it: the value opens in the inspector, where it can be drilled into.
      await run(page, "lab", 'd["a"]', "Control+i");
      const inspected = ws.getByRole("region", { name: "Inspected object" });
      await expect
        .poll(() => inspected.locator(".head").textContent(), { timeout: KERNEL_MS })
        .toContain("list");

      // Code that never returns: Interrupt stops it, and the kernel lives on.
      await run(page, "lab", "import time; time.sleep(600)");
      await expect.poll(() => state.textContent(), { timeout: KERNEL_MS }).toContain("busy");
      await ws.getByRole("button", { name: "Interrupt" }).click();
      await expect.poll(() => evals.last().getAttribute("data-status"), { timeout: KERNEL_MS }).toBe("error");
      expect(await evals.last().locator(".ename").textContent()).toContain("KeyboardInterrupt");
      await expect.poll(() => state.textContent()).toContain("idle");

      // The transcript has everything printed; its filter narrows it.
      await ws.getByRole("tab", { name: "Transcript" }).click();
      const transcript = ws.getByRole("log", { name: "Transcript" }).locator("pre");
      await expect.poll(() => transcript.count()).toBeGreaterThanOrEqual(8);
      expect(await transcript.first().textContent()).toBe(`In: print("hello", 6 * 7)`);
      await ws.getByLabel("Filter the transcript").fill("hello 42");
      await expect.poll(() => transcript.allTextContents()).toEqual(["[1] hello 42\n"]);

      // A second page on the same workspace sees the first page's evaluation live.
      const second = await web.page({ signedIn: true });
      await second.page.locator('[data-session="lab"] button.select').click();
      const ws2 = second.page.getByRole("region", { name: "Workspace lab" });
      const evals2 = ws2.getByRole("log", { name: "Evaluations" }).locator("article");
      await expect.poll(() => evals2.count(), { timeout: KERNEL_MS }).toBe(7);
      await run(page, "lab", 'print("from page one")');
      await expect
        .poll(() => evals2.last().locator('[data-output="stream"]').textContent(), { timeout: KERNEL_MS })
        .toBe("from page one\n");
      // The second page shows the buffer the first one typed (sent once typing paused).
      await expect
        .poll(() => ws2.locator(".cm-content").textContent(), { timeout: KERNEL_MS })
        .toContain('print("from page one")');

      // A reload comes back to the same text and evaluations.
      await page.reload();
      const again = page.getByRole("region", { name: "Workspace lab" });
      await expect
        .poll(() => again.locator(".cm-content").textContent(), { timeout: KERNEL_MS })
        .toContain('d = {"a": [1, 2], "b": {"c": 3}}');
      expect(await again.locator(".cm-content").textContent()).toContain('print("from page one")');
      await expect
        .poll(() => again.getByRole("log", { name: "Evaluations" }).locator("article").count())
        .toBe(8);
      // The inspector too: the dict opened before the reload is open again, its keys loaded.
      const dAgain = again.getByRole("tree", { name: "Variables" }).locator('[data-path="d"]');
      await expect.poll(() => dAgain.getAttribute("aria-expanded"), { timeout: KERNEL_MS }).toBe("true");
      await expect
        .poll(() => dAgain.getByRole("group").getByRole("treeitem").count(), { timeout: KERNEL_MS })
        .toBeGreaterThanOrEqual(2);

      // With a workspace running on the host, the dialog offers the host's kernelspecs.
      await page.getByRole("button", { name: "+ New" }).click();
      const offer = page.getByRole("dialog", { name: "New session" });
      await offer.getByLabel("Kind").selectOption("workspace");
      await expect
        .poll(
          () =>
            offer
              .locator("#new-kernel-list option")
              .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value)),
          { timeout: KERNEL_MS },
        )
        .toEqual(expect.arrayContaining(["python3", "xpython"]));
      await offer.getByRole("button", { name: "Cancel" }).click();

      // The kernel goes with its session.
      expect((await web.hub.api("/api/sessions/lab", { method: "DELETE" })).status).toBeLessThan(300);
      expect(problems).toEqual([]);
      expect(second.problems).toEqual([]);
    },
    TEST_MS,
  );

  it("revives an ended workspace from the page, replaying its evaluations", async () => {
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "again", kind: "workspace", options: { kernel: "python3" } }),
    });
    expect(created.status).toBeLessThan(300);
    const { page, problems } = await web.page({ signedIn: true });
    await page.locator('[data-session="again"] button.select').click();
    const ws = page.getByRole("region", { name: "Workspace again" });
    const state = ws.getByRole("status", { name: "Execution state" });
    await expect.poll(() => state.textContent(), { timeout: KERNEL_MS }).toContain("idle");
    const evals = ws.getByRole("log", { name: "Evaluations" }).locator("article");
    await run(page, "again", "n = 6 * 7");
    await expect.poll(() => evals.last().getAttribute("data-status"), { timeout: KERNEL_MS }).toBe("ok");

    // The session ends (its kernel with it): the page says so and offers both revives.
    expect((await web.hub.api("/api/sessions/again", { method: "DELETE" })).status).toBeLessThan(300);
    await expect.poll(() => state.textContent(), { timeout: KERNEL_MS }).toContain("dead");
    // Closed on purpose: no alarm in its health.
    const health = ws.getByRole("status", { name: "Kernel health" });
    await expect.poll(() => health.textContent(), { timeout: KERNEL_MS }).toContain("health stopped");
    expect(await health.getAttribute("data-state")).toBe("stopped");
    // Nor in its state: `dead` is not shown in the danger colour for a kernel closed on purpose.
    const danger = await page.evaluate(() => {
      const probe = document.createElement("span");
      probe.style.color = "var(--danger)";
      document.body.append(probe);
      const color = getComputedStyle(probe).color;
      probe.remove();
      return color;
    });
    expect(await state.evaluate((pill) => getComputedStyle(pill).color)).not.toBe(danger);
    await page.getByRole("button", { name: "Revive and replay" }).click();

    // A fresh kernel re-ran `n = 6 * 7`: the value is back.
    await ws.getByRole("tab", { name: "Transcript" }).click();
    await expect
      .poll(() => ws.getByRole("log", { name: "Transcript" }).textContent(), { timeout: KERNEL_MS })
      .toContain("Replayed 1 of 1 evaluations.");
    await expect.poll(() => state.textContent(), { timeout: KERNEL_MS }).toContain("idle");
    await run(page, "again", "n", "Control+p");
    await expect
      .poll(() => evals.last().locator('[data-output="text"]').textContent(), { timeout: KERNEL_MS })
      .toBe("42");
    expect(problems).toEqual([]);
  });

  // On the workspace revived above, still running: a kernel of its own would only add its start.

  it("shows a cell's input() prompt as a box under it, a password masked, and sends the line; a write link gets no Restart", async () => {
    const { page, problems } = await web.page({ signedIn: true });
    await page.locator('[data-session="again"] button.select').click();
    const ws = page.getByRole("region", { name: "Workspace again" });
    const state = ws.getByRole("status", { name: "Execution state" });
    await expect.poll(() => state.textContent(), { timeout: KERNEL_MS }).toContain("idle");
    const evals = ws.getByRole("log", { name: "Evaluations" }).locator("article");
    await run(
      page,
      "again",
      'import getpass; a = input("name? "); p = getpass.getpass("pin? "); print("hi", a, len(p))',
    );

    const box = evals.last().getByLabel("Input the cell asks for");
    await box.waitFor({ timeout: KERNEL_MS });
    expect(await evals.last().locator(".prompt .text").textContent()).toBe("name? ");
    await box.fill("Ada");
    await box.press("Enter");
    const secret = evals.last().getByLabel("Password the cell asks for");
    await secret.waitFor({ timeout: KERNEL_MS });
    expect(await secret.getAttribute("type")).toBe("password");
    await secret.fill("1234");
    await secret.press("Enter");
    await expect.poll(() => evals.last().getAttribute("data-status"), { timeout: KERNEL_MS }).toBe("ok");
    // What was typed stays under the cell, as at a terminal; the password does not.
    expect(await evals.last().locator('[data-output="stream"]').textContent()).toBe("name? Ada\nhi Ada 4\n");
    expect(await evals.last().locator(".prompt").count()).toBe(0);
    expect(await ws.getByRole("button", { name: "Restart" }).count()).toBe(1);

    // A write link runs cells, but restarting the kernel (its state lost) is its owner's: not offered.
    const shared = await web.hub.api("/api/sessions/again/share", {
      method: "POST",
      body: JSON.stringify({ write: true }),
    });
    expect(shared.status).toBeLessThan(300);
    const { url } = (await shared.json()) as { url: string };
    const linked = await web.page({ url });
    const linkedBar = linked.page.getByRole("region", { name: "Workspace again" });
    await linkedBar.getByRole("button", { name: "Interrupt" }).waitFor({ timeout: KERNEL_MS });
    expect(await linkedBar.getByRole("button", { name: "Restart" }).count()).toBe(0);
    expect((await web.hub.api("/api/sessions/again", { method: "DELETE" })).status).toBeLessThan(300);
    expect(problems).toEqual([]);
    expect(linked.problems).toEqual([]);
  });

  it(
    "does not send a line for a cell's input() over what the hub takes at once, says why, and the cell still asks",
    async () => {
      const created = await web.hub.api("/api/sessions", {
        method: "POST",
        body: JSON.stringify({ name: "big", kind: "workspace", options: { kernel: "python3" } }),
      });
      expect(created.status).toBeLessThan(300);
      const { page } = await web.page({ signedIn: true });
      await page.locator('[data-session="big"] button.select').click();
      const ws = page.getByRole("region", { name: "Workspace big" });
      const state = ws.getByRole("status", { name: "Execution state" });
      await expect.poll(() => state.textContent(), { timeout: KERNEL_MS }).toContain("idle");
      const evals = ws.getByRole("log", { name: "Evaluations" }).locator("article");
      await run(page, "big", 'line = input("paste? "); print(len(line))');
      const box = evals.last().getByLabel("Input the cell asks for");
      await box.waitFor({ timeout: KERNEL_MS });

      // A paste of 2 Mi characters: one message over what the hub takes (it would refuse it, or
      // past 16 MiB close the link, which a browser still uploading sees as a lost link).
      await box.fill("x".repeat(2 * 1024 * 1024));
      await box.press("Enter");
      await expect
        .poll(() => ws.getByRole("alert").textContent(), { timeout: KERNEL_MS })
        .toContain("Not sent: 2.0 MiB is over the 1 MiB the hub takes in one message");
      // The link stayed: nothing was sent, nothing was refused by closing it.
      expect(await page.evaluate(() => window.__dispatch?.connection())).toBe("open");

      // The cell still asks: a line that fits goes.
      await box.fill("short");
      await box.press("Enter");
      await expect.poll(() => evals.last().getAttribute("data-status"), { timeout: KERNEL_MS }).toBe("ok");
      expect(await evals.last().locator('[data-output="stream"]').textContent()).toBe("paste? short\n5\n");
      expect((await web.hub.api("/api/sessions/big", { method: "DELETE" })).status).toBeLessThan(300);
    },
    TEST_MS,
  );
});
