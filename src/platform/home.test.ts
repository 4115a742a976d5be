import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureHome } from "./home.js";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-home-"));
  made.push(dir);
  return dir;
}

describe("ensureHome", () => {
  it("creates the data directory with mode 0700", () => {
    const home = join(scratch(), "new");
    ensureHome(home);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  it("tightens an existing 0755 data directory to 0700", () => {
    const home = join(scratch(), "old");
    mkdirSync(home, { mode: 0o755 });
    expect(statSync(home).mode & 0o777).toBe(0o755);
    ensureHome(home);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });
});
