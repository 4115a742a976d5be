/**
 * Renders what a client received (snapshots, output) in a headless terminal, so tests can
 * compare the screens two clients end with.
 */
import headless from "@xterm/headless";
import type { WireClient } from "./wire.js";

/** The visible screen (rows of text) after applying everything `client` got for `session`. */
export async function renderScreen(
  client: WireClient,
  session: string,
  cols: number,
  rows: number,
): Promise<string> {
  const terminal = new headless.Terminal({ cols, rows, scrollback: 0, allowProposedApi: true });
  const write = (data: string | Uint8Array) => new Promise<void>((resolve) => terminal.write(data, resolve));
  // A snapshot resets the terminal: what came before the last one would only be drawn and wiped
  // (megabytes, at each look of a test that waits for a screen).
  const stream = client.stream(session);
  const last = stream.findLastIndex((item) => item.kind === "snapshot");
  for (const item of stream.slice(Math.max(0, last))) {
    if (item.kind === "snapshot") terminal.reset();
    await write(item.data);
  }
  const lines: string[] = [];
  const buffer = terminal.buffer.active;
  for (let y = 0; y < rows; y++)
    lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? "");
  terminal.dispose();
  return lines.join("\n").trimEnd();
}
