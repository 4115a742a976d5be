/**
 * Two chromium pages and a script (the REST edit route) typing into one file at once, with
 * random interleaved edits: every view, the host's text and the saved file end identical, and
 * each page shows the other's cursor with its name. Opening a file from the browser of the
 * host's allowed roots. A conflict resolved in the three-way merge view; one over a file turned
 * binary, whose banner says so; the history slider saying who changed what. A CRLF file edited
 * where the person typed, keeping its endings.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { webSuite } from "./browser.js";

const root = mkdtempSync(join(tmpdir(), "dispatch-web-editor-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * The text CodeMirror shows (the test documents are small, so every line is rendered), without
 * the other editors' cursor widgets (their names are not text).
 */
function shown(page: Page): Promise<string> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll(".cm-content .cm-line"))
      .map((line) => {
        const copy = line.cloneNode(true) as Element;
        for (const caret of copy.querySelectorAll(".cm-ySelectionCaret")) caret.remove();
        return (copy.textContent ?? "").replace(/\u2060/g, "");
      })
      .join("\n"),
  );
}

describe("web editor sessions", () => {
  const web = webSuite({ env: { DISPATCH_EDITOR_ROOTS: root }, reuseTabs: true });

  it("keeps two pages and a script typing at once identical, shows presence, and saves what all show", async () => {
    const file = join(root, "shared.txt");
    writeFileSync(file, "start\n");
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ kind: "editor", name: "doc", options: { path: file } }),
    });
    expect(created.status).toBe(201);

    const pages: Page[] = [];
    for (const name of ["alice", "bob"]) {
      const { page, problems } = await web.page({ signedIn: true });
      await page.evaluate((n) => localStorage.setItem("dispatch.editor.name", n), name);
      await page.locator('[data-session="doc"] button.select').click();
      await expect.poll(() => shown(page), { timeout: 20_000 }).toBe("start\n");
      pages.push(page);
      expect(problems).toEqual([]);
    }
    const [alice, bob] = pages as [Page, Page];

    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    // Moves only (no deletion), so every character typed or inserted must be in the end result.
    const keys = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"];
    let typed = "start\n";
    for (let round = 0; round < 15; round++) {
      for (const [page, letter] of [
        [alice, "a"],
        [bob, "b"],
      ] as const) {
        await page.locator(".cm-content").focus();
        await page.keyboard.press(keys[random(keys.length)] as string);
        await page.keyboard.type(`${letter}${round}`);
        typed += `${letter}${round}`;
        if (random(4) === 0) {
          await page.keyboard.press("Enter");
          typed += "\n";
        }
      }
      const length = ((await (await web.hub.api("/api/sessions/doc/text")).json()) as { text: string }).text
        .length;
      const at = random(length + 1);
      const edit = await web.hub.api("/api/sessions/doc/edits", {
        method: "POST",
        body: JSON.stringify({ edits: [{ from: at, to: at, insert: `[r${round}]` }], client: "script" }),
      });
      expect(edit.status).toBe(200);
      typed += `[r${round}]`;
    }

    const serverText = async () =>
      ((await (await web.hub.api("/api/sessions/doc/text")).json()) as { text: string }).text;
    await expect
      .poll(
        async () => {
          const [a, b, s] = await Promise.all([shown(alice), shown(bob), serverText()]);
          return a === s && b === s;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    const final = await serverText();
    const sorted = (text: string) => [...text].sort().join("");
    expect(sorted(final)).toBe(sorted(typed));

    // Presence: each page shows the other's cursor with its name.
    await alice.locator(".cm-content").focus();
    await alice.keyboard.press("End");
    await expect
      .poll(() => bob.locator(".cm-ySelectionInfo").allTextContents(), { timeout: 10_000 })
      .toContain("alice");
    await bob.locator(".cm-content").focus();
    await bob.keyboard.press("Home");
    await expect
      .poll(() => alice.locator(".cm-ySelectionInfo").allTextContents(), { timeout: 10_000 })
      .toContain("bob");

    // Ctrl+S saves; the file equals what every client shows.
    await expect.poll(() => alice.locator("[data-status]").textContent()).toBe("dirty");
    await alice.keyboard.press("Control+s");
    await expect.poll(() => bob.locator("[data-status]").textContent(), { timeout: 10_000 }).toBe("clean");
    expect(readFileSync(file, "utf8")).toBe(final);
    expect(await shown(bob)).toBe(final);
  }, 120_000);

  it("opens a file from the browser of the host's allowed roots, showing what it refuses and why", async () => {
    const dir = join(root, "project");
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(join(dir, "src", "main.txt"), "hello from the browser\n");
    writeFileSync(join(dir, "logo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]));
    const elsewhere = mkdtempSync(join(tmpdir(), "dispatch-web-editor-out-"));
    symlinkSync(elsewhere, join(dir, "escape"));
    try {
      const { page, problems } = await web.page({ signedIn: true });
      await page.getByRole("button", { name: "+ New" }).click();
      const dialog = page.getByRole("dialog", { name: "New session" });
      await dialog.locator("#new-kind").selectOption("editor");
      // Left empty, the name is the file's: the hint says so.
      expect(await dialog.locator("#new-name").getAttribute("placeholder")).toMatch(
        /the file's name if empty/,
      );
      const browser = dialog.locator("[data-file-browser]");
      await expect.poll(() => browser.locator("[data-browser-path]").textContent()).toBe(root);
      await browser.locator('[data-entry="project"]').click();
      await expect.poll(() => browser.locator("[data-browser-path]").textContent()).toBe(dir);
      // What the editor would refuse is shown with the reason, and cannot be picked.
      await expect
        .poll(() => browser.locator('[data-entry="logo.png"]').getAttribute("data-refused"))
        .toMatch(/binary/);
      expect(await browser.locator('[data-entry="logo.png"]').evaluate((e) => e.tagName)).toBe("SPAN");
      await expect
        .poll(() => browser.locator('[data-entry="escape"]').getAttribute("data-refused"))
        .toMatch(/outside the allowed roots/);
      // Up and down again, then a file opens as an editor session.
      await browser.getByRole("button", { name: "Up one directory" }).click();
      await expect.poll(() => browser.locator("[data-browser-path]").textContent()).toBe(root);
      await browser.locator('[data-entry="project"]').click();
      await browser.locator('[data-entry="src"]').click();
      await browser.locator('[data-entry="main.txt"]').click();
      await dialog.waitFor({ state: "hidden" });
      await expect.poll(() => shown(page), { timeout: 20_000 }).toBe("hello from the browser\n");
      const sessions = (await (await web.hub.api("/api/sessions")).json()) as {
        sessions: { name: string; kind: string; options?: { path?: string } }[];
      };
      expect(
        sessions.sessions.find((s) => s.kind === "editor" && s.options?.path === join(dir, "src", "main.txt"))
          ?.name,
      ).toBe("main-txt");

      // A new file, named in the directory shown, is created and opened.
      await page.getByRole("button", { name: "+ New" }).click();
      await dialog.locator("#new-kind").selectOption("editor");
      await browser.locator('[data-entry="project"]').click();
      await expect.poll(() => browser.locator("[data-browser-path]").textContent()).toBe(dir);
      await browser.getByRole("textbox", { name: "New file name" }).fill("fresh.txt");
      await browser.getByRole("button", { name: "Create file" }).click();
      await dialog.waitFor({ state: "hidden" });
      await expect.poll(() => existsSync(join(dir, "fresh.txt")), { timeout: 10_000 }).toBe(true);
      expect(readFileSync(join(dir, "fresh.txt"), "utf8")).toBe("");
      expect(problems).toEqual([]);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 60_000);

  it("resolves a conflict in the three-way view: base, disk and buffer, and a merged result to edit", async () => {
    const file = join(root, "merge.txt");
    writeFileSync(file, "alpha\nx\nbeta\ny\ndelta\n");
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ kind: "editor", name: "merge", options: { path: file } }),
    });
    expect(created.status).toBe(201);
    const { page, problems } = await web.page({ signedIn: true });
    await page.locator('[data-session="merge"] button.select').click();
    await expect.poll(() => shown(page), { timeout: 20_000 }).toBe("alpha\nx\nbeta\ny\ndelta\n");
    // The buffer changes beta and delta; then the disk changes alpha and beta.
    const edit = await web.hub.api("/api/sessions/merge/edits", {
      method: "POST",
      body: JSON.stringify({
        edits: [
          { from: 8, to: 12, insert: "beta mine" },
          { from: 15, to: 20, insert: "DELTA" },
        ],
      }),
    });
    expect(edit.status).toBe(200);
    const edited = ((await edit.json()) as { seq: number }).seq;
    await expect.poll(() => page.locator("[data-status]").textContent()).toBe("dirty");
    writeFileSync(file, "ALPHA\nx\nbeta disk\ny\ndelta\n");
    await expect
      .poll(() => page.locator("[data-status]").textContent(), { timeout: 10_000 })
      .toBe("conflict");
    await page.getByRole("button", { name: "Resolve…" }).click();

    const column = (name: string) => page.locator(`section[aria-label="${name}"]`);
    const mergedText = () =>
      page
        .locator("section[aria-label='Merged result'] .cm-line")
        .allTextContents()
        .then((lines) => lines.join("\n"));
    // Each side shows its changes against the base (the base's lines as deleted chunks).
    await expect
      .poll(() => column("On disk").locator(".cm-deletedChunk").allTextContents())
      .toEqual(expect.arrayContaining([expect.stringContaining("alpha")]));
    await expect
      .poll(() => column("Your buffer").locator(".cm-deletedChunk").allTextContents())
      .toEqual(expect.arrayContaining([expect.stringContaining("delta")]));
    // The middle merges what does not clash and leaves the clash between markers.
    await expect
      .poll(mergedText)
      .toBe("ALPHA\nx\n<<<<<<< on disk\nbeta disk\n=======\nbeta mine\n>>>>>>> your buffer\ny\nDELTA\n");
    const use = page.getByRole("button", { name: "Use the merged result" });
    expect(await use.isDisabled()).toBe(true);
    expect(await page.locator("[data-unresolved]").getAttribute("data-unresolved")).toBe("1");
    // Saving is refused meanwhile.
    expect((await web.hub.api("/api/sessions/merge/save", { method: "POST", body: "{}" })).status).toBe(409);

    await page.locator("section[aria-label='Merged result'] .cm-content").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("ALPHA\nx\nbeta both\ny\nDELTA\n");
    await expect.poll(() => use.isDisabled()).toBe(false);
    await use.click();
    await expect.poll(() => page.locator("[data-status]").textContent(), { timeout: 10_000 }).toBe("dirty");
    await page.locator("section[aria-label='Merged result']").waitFor({ state: "detached" });
    await expect.poll(() => shown(page)).toBe("ALPHA\nx\nbeta both\ny\nDELTA\n");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.locator("[data-status]").textContent(), { timeout: 10_000 }).toBe("clean");
    expect(readFileSync(file, "utf8")).toBe("ALPHA\nx\nbeta both\ny\nDELTA\n");

    // A clean buffer whose file turns binary: the banner says so (not "unsaved edits"), and
    // since there is no text on disk to merge, offers keeping the buffer, which a save writes.
    const banner = page.locator(".conflict[role=alert]");
    const bannerText = () => banner.allTextContents().then((texts) => texts.join(""));
    // Whole at once (a rename): a look between a truncation and the write would reload it empty.
    writeFileSync(`${file}.new`, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]));
    renameSync(`${file}.new`, file);
    await expect
      .poll(() => page.locator("[data-status]").textContent(), { timeout: 10_000 })
      .toBe("conflict");
    expect(await bannerText()).toMatch(/is a binary file.*no text on disk to merge/);
    expect(await bannerText()).not.toMatch(/unsaved edits/);
    await banner.getByRole("button", { name: "Keep mine" }).click();
    await expect.poll(() => page.locator("[data-status]").textContent(), { timeout: 10_000 }).toBe("dirty");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.locator("[data-status]").textContent(), { timeout: 10_000 }).toBe("clean");
    expect(readFileSync(file, "utf8")).toBe("ALPHA\nx\nbeta both\ny\nDELTA\n");

    // The history slider at the script's edit says who made it, when, and what it did.
    await page.getByRole("slider", { name: "History: the file at a seq" }).evaluate((input, seq) => {
      (input as HTMLInputElement).value = String(seq);
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }, edited);
    await expect
      .poll(() => page.locator("[data-change]").allTextContents(), { timeout: 10_000 })
      .toEqual([
        expect.stringMatching(
          /^seq \d+: rest · \d\d:\d\d · replaced 8-12 with "beta mine"; replaced 15-20 with "DELTA"$/,
        ),
      ]);
    expect(await page.locator("pre.past").textContent()).toBe("alpha\nx\nbeta mine\ny\nDELTA\n");
    expect(problems).toEqual([]);
  }, 60_000);

  it("edits a CRLF file where the person typed, keeping its CRLF line endings", async () => {
    const file = join(root, "crlf.txt");
    writeFileSync(file, "one\r\ntwo\r\nthree\r\n");
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ kind: "editor", name: "crlf", options: { path: file } }),
    });
    expect(created.status).toBe(201);
    const { page, problems } = await web.page({ signedIn: true });
    await page.locator('[data-session="crlf"] button.select').click();
    await expect.poll(() => shown(page), { timeout: 20_000 }).toBe("one\ntwo\nthree\n");
    // The end of line 3, a word, a new line with a word; Delete at the end of line 1 joins line 2.
    await page.locator(".cm-content").focus();
    await page.keyboard.press("Control+Home");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("End");
    await page.keyboard.type("X");
    await page.keyboard.press("Enter");
    await page.keyboard.type("Y");
    await page.keyboard.press("Control+Home");
    await page.keyboard.press("End");
    await page.keyboard.press("Delete");
    await expect.poll(() => shown(page)).toBe("onetwo\nthreeX\nY\n");
    // Backspace at the start of a line joins it to the one above, taking the whole break.
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Home");
    await page.keyboard.press("Backspace");
    const expected = "onetwothreeX\r\nY\r\n";
    await expect.poll(() => shown(page)).toBe("onetwothreeX\nY\n");
    await expect.poll(() => page.locator("[data-status]").textContent()).toBe("dirty");
    await page.keyboard.press("Control+s");
    await expect.poll(() => page.locator("[data-status]").textContent(), { timeout: 10_000 }).toBe("clean");
    expect(readFileSync(file, "utf8")).toBe(expected);
    expect(problems).toEqual([]);
  }, 60_000);

  it("names the editable text after its file, and previews a Markdown file rendered, its HTML inert", async () => {
    const file = join(root, "notes.md");
    writeFileSync(
      file,
      [
        "# Plan",
        "",
        "- first **step**",
        "- second",
        "",
        "<script>window.__ran = 'script'</script>",
        "<img src=x onerror=\"window.__ran = 'img'\">",
        "[bad](javascript:window.__ran='link') and [good](https://example.com)",
        "",
      ].join("\n"),
    );
    writeFileSync(join(root, "plain.txt"), "not markdown\n");
    for (const [name, path] of [
      ["notes", file],
      ["plain", join(root, "plain.txt")],
    ]) {
      const created = await web.hub.api("/api/sessions", {
        method: "POST",
        body: JSON.stringify({ kind: "editor", name, options: { path } }),
      });
      expect(created.status).toBe(201);
    }
    const { page, problems } = await web.page({ signedIn: true });
    await page.locator('[data-session="notes"] button.select').click();
    await expect.poll(() => shown(page), { timeout: 20_000 }).toMatch(/^# Plan\n/);
    // The editable text is named after its file (a screen reader says which file it is in).
    await page.getByRole("textbox", { name: `File ${file}` }).waitFor();

    // Preview: the Markdown as it reads; the HTML in it is text, and nothing of it ran.
    const toggle = page.getByRole("button", { name: "Preview" });
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
    await toggle.click();
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");
    const preview = page.getByRole("region", { name: `Preview of ${file}` });
    await preview.getByRole("heading", { name: "Plan" }).waitFor();
    expect(await preview.getByRole("listitem").allTextContents()).toEqual(["first step", "second"]);
    expect(await preview.locator("strong").textContent()).toBe("step");
    await preview.getByText("<script>window.__ran = 'script'</script>").waitFor();
    expect(await preview.locator("script, img").count()).toBe(0);
    expect(
      await preview.getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href"))),
    ).toEqual(["https://example.com"]);
    expect(await page.evaluate(() => (window as unknown as { __ran?: string }).__ran)).toBeUndefined();
    expect(await page.locator(".cm-content").isVisible()).toBe(false);

    // It follows the text as someone else edits it.
    const edit = await web.hub.api("/api/sessions/notes/edits", {
      method: "POST",
      body: JSON.stringify({ edits: [{ from: 0, to: 6, insert: "# Plan B" }], client: "script" }),
    });
    expect(edit.status).toBe(200);
    await preview.getByRole("heading", { name: "Plan B" }).waitFor();

    // Back to editing, the edit there too.
    await toggle.click();
    await expect.poll(() => shown(page)).toMatch(/^# Plan B\n/);
    expect(await preview.count()).toBe(0);

    // A file that is not Markdown has no preview.
    await page.locator('[data-session="plain"] button.select').click();
    await page.getByRole("textbox", { name: `File ${join(root, "plain.txt")}` }).waitFor();
    expect(
      await page.locator("[data-editor]:not([hidden])").getByRole("button", { name: "Preview" }).count(),
    ).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);
});
