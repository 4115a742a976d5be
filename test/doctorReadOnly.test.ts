/**
 * `dispatch doctor` on a data directory whose file system went read-only (a disk error, a
 * remount): the hub cannot start there, and the doctor is what an operator asks why.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { SqliteStore } from "../src/store/sqlite/SqliteStore.js";
import { cleanEnv, runCli } from "./cliProcess.js";

const homes: string[] = [];

afterEach(() => {
  for (const home of homes.splice(0)) {
    try {
      execFileSync("umount", [home]);
    } catch {
      // Never mounted (the bind mount failed): nothing to undo.
    }
    rmSync(home, { recursive: true, force: true });
  }
});

it("on a read-only data directory says so and what to do, instead of failing on the database", async () => {
  const home = mkdtempSync(join(tmpdir(), "dispatch-doctor-ro-"));
  homes.push(home);
  SqliteStore.open(join(home, "dispatch.db")).close();
  // The directory itself, mounted read-only over itself (the tests run as root).
  execFileSync("mount", ["--bind", home, home]);
  execFileSync("mount", ["-o", "remount,ro,bind", home]);

  const doctor = await runCli(["doctor"], cleanEnv({ DISPATCH_HOME: home }));
  expect(doctor.code).toBe(1);
  expect(doctor.stderr).toBe("");
  expect(doctor.stdout).toContain("the data directory cannot be written (EROFS)");
  expect(doctor.stdout).toContain("remount it read-write, or point DISPATCH_HOME at a writable directory");
  expect(doctor.stdout).toContain(`cannot open the database ${join(home, "dispatch.db")}`);
});
