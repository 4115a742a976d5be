import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hubSettings } from "./hubSettings.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("DISPATCH_BACKUP_DIR", () => {
  it("stops the start for a relative path or a file, which could never hold the backups", () => {
    const dir = mkdtempSync(join(tmpdir(), "dispatch-settings-"));
    dirs.push(dir);
    const file = join(dir, "dispatch.db");
    writeFileSync(file, "");
    expect(() => hubSettings({ DISPATCH_BACKUP_DIR: "backups" })).toThrow(
      "DISPATCH_BACKUP_DIR='backups' is relative; give an absolute directory",
    );
    expect(() => hubSettings({ DISPATCH_BACKUP_DIR: file })).toThrow(
      `DISPATCH_BACKUP_DIR='${file}' is a file, not a directory`,
    );
    // A directory, or one not made yet (the first backup creates it), is taken as given.
    expect(hubSettings({ DISPATCH_BACKUP_DIR: dir }).backupDir).toBe(dir);
    expect(hubSettings({ DISPATCH_BACKUP_DIR: join(dir, "later") }).backupDir).toBe(join(dir, "later"));
    expect(hubSettings({}).backupDir).toBeUndefined();
  });
});
