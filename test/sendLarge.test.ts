/**
 * `dispatch send` with more than one request carries (1 MiB): many words, or a file on stdin
 * (`--stdin`). It goes in pieces, in order, and the program reads every byte once.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

let hub: HubHandle;
let dir: string;

beforeAll(async () => {
  hub = await startHub();
  dir = mkdtempSync(join(tmpdir(), "dispatch-send-"));
});

afterAll(async () => {
  await cleanupAll();
  rmSync(dir, { recursive: true, force: true });
});

/** A session copying what is typed into `file` (no echo: the log stays small). */
async function catInto(name: string, file: string): Promise<void> {
  const created = await hub.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ name, command: ["sh", "-c", `stty -echo; exec cat > ${file}`] }),
  });
  expect(created.status, await created.text()).toBe(201);
}

/** Ends the session's `cat` (Ctrl-D on an empty line) and waits for what it wrote. */
async function written(name: string, file: string, length: number): Promise<string> {
  const eof = await hub.cli(["send", name, "\x04"]);
  expect(eof.code, eof.stderr).toBe(0);
  return waitFor(
    () => {
      const text = readFileSync(file, "utf8");
      return text.length >= length ? text : undefined;
    },
    { message: `${name} to write ${length} characters`, timeoutMs: 120_000 },
  );
}

it("types TEXT over one request's limit in pieces, in order", async () => {
  const file = join(dir, "words.out");
  await catInto("words", file);
  // Ten words of 110,000 characters, 1.1 MB joined, in short lines (a terminal's line is at most 4 Ki).
  const words = Array.from({ length: 10 }, (_, i) => `${String(i).repeat(99)}\n`.repeat(1_100));
  const sent = await hub.cli(["send", "words", "--", ...words]);
  expect(sent.code, sent.stderr).toBe(0);
  const expected = words.join(" ");
  expect(await written("words", file, expected.length)).toBe(expected);
}, 180_000);

it("types a file of megabytes from --stdin, and says what to give otherwise", async () => {
  const file = join(dir, "lines.out");
  await catInto("lines", file);
  const lines = `${Array.from({ length: 300_000 }, (_, i) => `line ${i}`).join("\n")}\n`;
  const sent = await hub.cli(["send", "lines", "--stdin"], { input: lines });
  expect(sent.code, sent.stderr).toBe(0);
  expect(await written("lines", file, lines.length)).toBe(lines);

  const both = await hub.cli(["send", "lines", "--stdin", "x"]);
  expect(both).toMatchObject({ code: 2 });
  expect(both.stderr).toContain("give TEXT or --stdin, not both");
}, 180_000);
