import { describe, expect, it } from "vitest";
import { DispatchError } from "./errors.js";
import { lazyModule } from "./lazyModule.js";

describe("lazyModule", () => {
  it("imports once for every caller, also for callers waiting on the first import", async () => {
    let imports = 0;
    const load = lazyModule("a module", async () => {
      imports++;
      return { value: 42 };
    });
    const [a, b] = await Promise.all([load(), load()]);
    expect(a).toBe(b);
    expect((await load()).value).toBe(42);
    expect(imports).toBe(1);
  });

  it("names what could not be loaded and why, and tries again on the next use", async () => {
    const missing = "./no-such-module.js";
    let attempts = 0;
    const load = lazyModule("the frobnicator kind", () => {
      attempts++;
      return import(missing);
    });
    const error = await load().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DispatchError);
    expect((error as DispatchError).code).toBe("internal");
    expect((error as Error).message).toMatch(/^could not load the frobnicator kind: .*no-such-module/);
    await expect(load()).rejects.toThrow(/could not load the frobnicator kind/);
    expect(attempts).toBe(2);
  });
});
