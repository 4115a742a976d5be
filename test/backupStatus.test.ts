/**
 * A periodic backup that fails is seen where an operator looks, not only in hub.log:
 * `/api/status`, `dispatch status` and `dispatch doctor` say it failed, why and what to do.
 * (That a later success clears it is PeriodicBackup's unit test: the next try is a minute off.)
 */
import { afterAll, afterEach, expect, it } from "vitest";
import type { StatusBody } from "../src/protocol/api.js";
import { api } from "./countedLog.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { fillDisk, removeSmallDisks, smallDisk } from "./smallDisk.js";

let h: HubHandle | undefined;

afterEach(async () => {
  await h?.stop();
  removeSmallDisks();
});
afterAll(cleanupAll);

it("a periodic backup to a full disk shows in the status and the doctor, with the reason", async () => {
  const disk = smallDisk("1m", "dispatch-periodic-full-");
  fillDisk(disk);
  // No backup in the directory yet: the first is due at the hub's start.
  h = await startHub({ env: { DISPATCH_BACKUP_EVERY: "1m", DISPATCH_BACKUP_DIR: disk } });
  const hub = h;

  const failure = await waitFor(async () => (await api<StatusBody>(hub, "/api/status")).backups?.failure, {
    message: "the periodic backup's failure in /api/status",
  });
  expect(failure.problem).toContain(`the disk holding ${disk} is full`);

  const status = await hub.cli(["status"]);
  expect(status.code, status.stderr).toBe(0);
  expect(status.stdout).toMatch(/^backups {3}FAILING since .*the disk holding .* is full/m);
  expect(status.stdout).toContain("no backup written yet; the hub tries again every 1m");

  const doctor = await hub.cli(["doctor"]);
  expect(doctor.code).toBe(1);
  expect(doctor.stdout).toMatch(/^FAIL {2}periodic backup FAILING since .* is full/m);
  expect(doctor.stdout).toContain("`dispatch backup FILE`");
});
