/** The one-line preview read off a screen: its last non-blank row, as a person sees it. */
import headless from "@xterm/headless";
import { afterEach, expect, it } from "vitest";
import { screenPreview } from "./screenPreview.js";

const terminals: headless.Terminal[] = [];

afterEach(() => {
  for (const terminal of terminals.splice(0)) terminal.dispose();
});

async function screen(data: string, cols = 30, rows = 6): Promise<headless.Terminal> {
  const terminal = new headless.Terminal({ cols, rows, allowProposedApi: true, logLevel: "error" });
  terminals.push(terminal);
  await new Promise<void>((resolve) => terminal.write(data, resolve));
  return terminal;
}

it("reads vim's bottom row, not the text under its cursor, blanks as one space", async () => {
  const vim =
    "\x1b[?1049h\x1b[H\x1b[2Jline one\r\n~\r\n~\x1b[6;1H-- INSERT --\x1b[6;18H1,9\x1b[6;28HAll\x1b[1;9H";
  expect(screenPreview(await screen(vim))).toBe("-- INSERT -- 1,9 All");
});

it("reads what a command printed above the blank rows under it", async () => {
  expect(screenPreview(await screen("$ make\r\nbuilt 3 targets\r\n\r\n\r\n"))).toBe("built 3 targets");
});

it("reads a long line wrapped onto several rows from its start", async () => {
  const long = `$ echo ${"x".repeat(40)}`;
  expect(screenPreview(await screen(`older\r\n${long}`))).toBe(long);
});

it("is empty for a blank screen (the caller keeps the previous preview)", async () => {
  expect(screenPreview(await screen("gone\r\n\x1b[2J\x1b[H"))).toBe("");
});
