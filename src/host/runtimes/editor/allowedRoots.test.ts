import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { editorRoots, resolveInRoots } from "./allowedRoots.js";

const base = mkdtempSync(join(tmpdir(), "dispatch-roots-"));
const root = join(base, "root");
const other = join(base, "other");
mkdirSync(join(root, "sub"), { recursive: true });
mkdirSync(other);
writeFileSync(join(root, "sub", "a.txt"), "a");
writeFileSync(join(other, "b.txt"), "b");
symlinkSync(join(root, "sub", "a.txt"), join(root, "inside-link"));
symlinkSync(join(other, "b.txt"), join(root, "outside-link"));
const roots = editorRoots(root);
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe("resolveInRoots", () => {
  it("takes relative paths from the first root and follows links that stay inside", () => {
    expect(resolveInRoots("sub/a.txt", roots)).toEqual({
      path: join(roots[0] as string, "sub", "a.txt"),
      exists: true,
    });
    expect(resolveInRoots("inside-link", roots).path).toBe(join(roots[0] as string, "sub", "a.txt"));
    expect(resolveInRoots("sub/new.txt", roots)).toMatchObject({ exists: false });
  });

  it("refuses '..', absolute paths outside, links leading out, directories and missing parents", () => {
    expect(() => resolveInRoots("sub/../sub/a.txt", roots)).toThrow(/may not contain '\.\.'/);
    expect(() => resolveInRoots(join(other, "b.txt"), roots)).toThrow(/outside the editor's allowed roots/);
    expect(() => resolveInRoots("outside-link", roots)).toThrow(/symbolic link/);
    expect(() => resolveInRoots("sub", roots)).toThrow(/is a directory/);
    expect(() => resolveInRoots("nowhere/x.txt", roots)).toThrow(/does not exist/);
  });

  it("allows every listed root", () => {
    const both = editorRoots(`${root}:${other}`);
    expect(resolveInRoots(join(other, "b.txt"), both).exists).toBe(true);
  });
});
