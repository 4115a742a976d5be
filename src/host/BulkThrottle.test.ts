import { describe, expect, it } from "vitest";
import { BulkThrottle } from "./BulkThrottle.js";

const MiB = 1024 * 1024;

describe("BulkThrottle", () => {
  it("lets a first event through and then paces reading to the rate", () => {
    const throttle = new BulkThrottle(MiB);
    // One full event of burst: no wait.
    expect(throttle.take(64 * 1024, 1000)).toBe(0);
    // A second at once is paid for at 1 MiB/s: 62.5 ms.
    expect(throttle.take(64 * 1024, 1000)).toBe(63);
    // Sessions share the rate: a third event from another session waits behind both.
    expect(throttle.take(64 * 1024, 1000)).toBe(125);
  });

  it("forgets debt paid off while nobody read, beyond one burst", () => {
    const throttle = new BulkThrottle(MiB);
    throttle.take(512 * 1024, 0);
    // Half a second of rate has passed: the 512 KiB minus the burst are paid off.
    expect(throttle.take(0, 500)).toBe(0);
    // Ten quiet seconds do not bank ten seconds of reading at full speed.
    expect(throttle.take(64 * 1024, 10_500)).toBe(0);
    expect(throttle.take(128 * 1024, 10_500)).toBe(125);
  });
});
