import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findKernelSpec, kernelArgv, listKernelSpecs } from "./kernelspecs.js";

const root = mkdtempSync(join(tmpdir(), "kernelspecs-"));
const env = { JUPYTER_PATH: root, HOME: root };

function spec(name: string, json: unknown): void {
  mkdirSync(join(root, "kernels", name), { recursive: true });
  writeFileSync(join(root, "kernels", name, "kernel.json"), JSON.stringify(json));
}

spec("mylang", {
  argv: ["/opt/mylang/bin/kernel", "-f", "{connection_file}", "--resources", "{resource_dir}"],
  display_name: "My Lang",
  language: "mylang",
  interrupt_mode: "message",
});
spec("garbled", { argv: "not a list" });

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("kernelspecs", () => {
  it("finds specs on JUPYTER_PATH before the system's, skipping broken ones", () => {
    const names = listKernelSpecs(env).map((found) => found.name);
    expect(names[0]).toBe("mylang");
    expect(names).not.toContain("garbled");
    const mine = findKernelSpec("mylang", env);
    expect(mine).toMatchObject({ language: "mylang", interruptMode: "message", displayName: "My Lang" });
    expect(kernelArgv(mine, "/tmp/c.json")).toEqual([
      "/opt/mylang/bin/kernel",
      "-f",
      "/tmp/c.json",
      "--resources",
      join(root, "kernels", "mylang"),
    ]);
  });

  it("refuses an unknown name with a did-you-mean and the installed names", () => {
    expect(() => findKernelSpec("mylnag", env)).toThrow(
      /no kernel 'mylnag' — did you mean 'mylang'\?.*installed: .*mylang/,
    );
  });
});
