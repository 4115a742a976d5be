/**
 * Pasting into the web terminal: a paste larger than one client message (a log, a generated
 * file) arrives whole and in order, as the browser handed it to the page; a paste into a shell
 * that asked for bracketed paste cannot end the bracket and run what follows.
 */
import { createHash } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { MAX_CLIENT_MESSAGE_BYTES } from "../../src/protocol/client.js";
import { createSession, terminalLines, typeLine, waitForLine, webSuite } from "./browser.js";

/** What the browser does for Ctrl+Shift+V or the context menu's Paste. */
async function paste(page: Page, text: string): Promise<void> {
  await page.locator(".xterm-helper-textarea:visible").evaluate((area, data) => {
    const clipboardData = new DataTransfer();
    clipboardData.setData("text/plain", data);
    area.dispatchEvent(new ClipboardEvent("paste", { clipboardData, bubbles: true, cancelable: true }));
  }, text);
}

describe("web paste", () => {
  const web = webSuite();

  // A megabyte through the browser, the hub, the host and a PTY: slow on a loaded machine.
  it("delivers a paste larger than a client message whole and in order", { timeout: 120_000 }, async () => {
    const { page, problems } = await web.page({ login: true });
    await createSession(page, "paste-big");
    // Lines of varied length with tabs and non-ASCII: sent whole, past the hub's limit for one
    // message (the browser's paste was refused, and nothing arrived).
    let text = "";
    for (let i = 0, bytes = 0; bytes <= MAX_CLIENT_MESSAGE_BYTES; i++) {
      const line = `line ${i}\tñ→ ${"abcdefghij".repeat(i % 13)}\n`;
      text += line;
      bytes += Buffer.byteLength(JSON.stringify(line)) - 2;
    }
    // xterm sends a paste's line ends as Enter (CR); the shell reads the bytes raw.
    const sent = Buffer.from(text.replace(/\n/g, "\r"), "utf8");
    const digest = createHash("md5").update(sent).digest("hex");
    await typeLine(page, `stty raw -echo; head -c ${sent.length} | md5sum; stty sane`);
    await paste(page, text);
    // Until the shell has the whole paste, or the page says why it has not (a refused message).
    const sum = new RegExp(`^${digest}\\s+-`);
    await expect
      .poll(
        async () =>
          (await page.locator(".toasts").textContent()) ||
          ((await terminalLines(page, "paste-big")).some((line) => sum.test(line)) ? "arrived" : ""),
        { timeout: 45_000 },
      )
      .toBe("arrived");
    expect(problems).toEqual([]);
  });

  it("keeps a pasted end-of-paste marker from running the lines after it", async () => {
    const { page, problems } = await web.page({ login: true });
    await createSession(page, "paste-marker");
    // The prompt is drawn after the shell turns bracketed paste on: once it shows, the
    // terminal knows (before it, a paste is not bracketed, and its newlines run as Enter).
    await typeLine(page, "bind 'set enable-bracketed-paste on'; PS1='paste-ready> '");
    await waitForLine(page, "paste-marker", /^paste-ready> $/);
    // Text copied from a page that hid the bracket's end marker in it, before a second line.
    await paste(page, "echo safe\x1b[201~\necho INJECTED-$((6 * 7))\n");
    // A bracketed paste waits at the prompt for Enter. Once bash shows it there, Ctrl+C drops
    // it: sooner, the PTY's SIGINT can reach bash while readline is still reading the paste
    // (on a loaded machine both land in one read), and what it had not read runs as typed.
    await waitForLine(page, "paste-marker", /^paste-ready> echo safe/);
    await page.keyboard.press("Control+C");
    // Typed only once bash shows a fresh prompt under the ^C: a key reaching bash in the same read
    // as the interrupt makes readline keep the line (bash 5.2, with no hub between: raw node-pty,
    // `\x03` and the next keys in one write, runs the paste every time), and it then runs with
    // that key's Enter. On a loaded machine the page's keys can arrive that close together.
    await waitForFreshPrompt(page, "paste-marker", "paste-ready> ");
    // Then a line typed after it: by the time it answers, anything the paste ran has answered.
    await typeLine(page, "echo after-$((2 + 2))");
    await waitForLine(page, "paste-marker", /^after-4$/);
    expect(await terminalLines(page, "paste-marker")).not.toContain("INJECTED-42");
    expect(problems).toEqual([]);
  });
});

/** Waits until the terminal's last line is an empty `prompt` and the line above it ends in `^C`. */
async function waitForFreshPrompt(page: Page, session: string, prompt: string): Promise<void> {
  await page.waitForFunction(
    ([name, shown]) => {
      const lines = window.__dispatch?.lines(name as string) ?? [];
      return lines.at(-1) === shown && (lines.at(-2) ?? "").endsWith("^C");
    },
    [session, prompt],
    { timeout: 20_000, polling: 50 },
  );
}
