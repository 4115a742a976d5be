/**
 * `dispatch doctor` on the access key file: present, empty (the next start would write a new
 * key over it, and every client holding the old one would be refused), as a stopped home.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { cleanEnv, runCli } from "./cliProcess.js";

const homes: string[] = [];

afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function home(key: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-doctor-key-"));
  homes.push(dir);
  writeFileSync(join(dir, "access.key"), key, { mode: 0o600 });
  return cleanEnv({ DISPATCH_HOME: dir });
}

it("says an empty access key file will be replaced, and passes a real one", async () => {
  const empty = await runCli(["doctor"], home(""));
  expect(empty.stdout).toMatch(/the access key file is empty/);
  expect(empty.stdout).toMatch(/the next `dispatch start` writes a new key/);
  expect(empty.stdout).not.toMatch(/access key present/);

  const real = await runCli(["doctor"], home("a-real-key-0123456789\n"));
  expect(real.stdout).toMatch(/access key present/);
  expect(real.stdout).not.toMatch(/access key file is empty/);
});
