import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import type { SessionInfo } from "../protocol/session.js";
import { SeenState } from "./seenState.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const session = (id: string, lastSeq: number) => ({ id, lastSeq }) as SessionInfo;

it("keeps what every client marked: an open picker neither undoes an attach's marks nor misses them", () => {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-seen-"));
  dirs.push(dir);
  const picker = SeenState.inHome(dir);
  const attach = SeenState.inHome(dir);
  attach.mark("quick", 3);
  // The picker, open all along, sees the attach's mark...
  expect(picker.isUnread(session("quick", 3))).toBe(false);
  // ...and its own save keeps it.
  picker.mark("build", 7);
  const later = SeenState.inHome(dir);
  expect(later.isUnread(session("quick", 3))).toBe(false);
  expect(later.isUnread(session("build", 7))).toBe(false);
  expect(later.isUnread(session("build", 8))).toBe(true);
});
