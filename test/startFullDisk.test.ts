/**
 * `dispatch start` with the data directory on a full disk (a tiny tmpfs, filled): it says what
 * is full and what to do, not a bare "ENOSPC: no space left on device, write", and leaves no
 * empty `start.lock` behind to hold up the next attempt.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { cleanEnv, runCli } from "./harness.js";
import { fillDisk, removeSmallDisks, smallDisk } from "./smallDisk.js";

afterEach(removeSmallDisks);

it("says the disk holding the data directory is full and what to do", async () => {
  const home = smallDisk("256k", "dispatch-full-home-");
  fillDisk(home);

  const start = await runCli(["start", "--port", "0"], cleanEnv({ DISPATCH_HOME: home, HOME: home }));
  expect(start.code).toBe(1);
  expect(start.stderr).toContain(`the disk holding ${home} is full`);
  expect(start.stderr).toContain("free some space there, or point DISPATCH_HOME at a disk with room");
  expect(start.stderr).not.toContain("ENOSPC");
  expect(existsSync(join(home, "start.lock"))).toBe(false);
});
