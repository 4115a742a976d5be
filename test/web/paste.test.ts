/**
 * Pasting into the web terminal: a paste larger than one client message (a log, a generated
 * file) arrives whole and in order, as the browser handed it to the page.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_CLIENT_MESSAGE_BYTES } from "../../src/protocol/client.js";
import { createSession, terminalLines, typeLine, webSuite } from "./browser.js";

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
    // What the browser does for Ctrl+Shift+V or the context menu's Paste.
    await page.locator(".xterm-helper-textarea").evaluate((area, data) => {
      const clipboardData = new DataTransfer();
      clipboardData.setData("text/plain", data);
      area.dispatchEvent(new ClipboardEvent("paste", { clipboardData, bubbles: true, cancelable: true }));
    }, text);
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
});
