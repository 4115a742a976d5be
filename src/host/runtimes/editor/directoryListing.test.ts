import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runKindCommand } from "../registry.js";
import { editorRoots } from "./allowedRoots.js";
import { listDirectory } from "./directoryListing.js";

const base = mkdtempSync(join(tmpdir(), "dispatch-listing-"));
const root = join(base, "root");
const second = join(base, "second");
mkdirSync(join(root, "dir"), { recursive: true });
mkdirSync(second);
const roots = editorRoots(`${root}:${second}`);
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe("listDirectory", () => {
  it("marks what the editor would refuse: not UTF-8, special files, broken and escaping links", () => {
    writeFileSync(join(root, "latin1.txt"), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    // A multi-byte character cut by the sniff's end is still text.
    writeFileSync(join(root, "long.txt"), `${"a".repeat(8191)}é and more\n`);
    execFileSync("mkfifo", [join(root, "pipe")]);
    symlinkSync(join(root, "nowhere"), join(root, "broken"));
    symlinkSync(join(second, ""), join(root, "to-second"));
    const listing = listDirectory(undefined, { roots, maxBytes: 1_000_000 });
    const byName = Object.fromEntries(listing.entries.map((e) => [e.name, e]));
    expect(byName["latin1.txt"]?.refused).toMatch(/binary/);
    expect(byName["long.txt"]?.refused).toBeUndefined();
    expect(byName.pipe?.refused).toBe("not a regular file");
    expect(byName.broken?.refused).toMatch(/broken link/);
    // A link into another allowed root stays inside the roots.
    expect(byName["to-second"]).toMatchObject({ type: "directory" });
    expect(byName["to-second"]?.refused).toBeUndefined();
    expect(listing.roots).toEqual(roots);
    expect(listDirectory(second, { roots, maxBytes: 1 }).parent).toBeNull();
    expect(listDirectory("dir", { roots, maxBytes: 1 }).parent).toBe(roots[0]);
  });

  it("is the editor's host command, and a kind's unknown host command says what it has", () => {
    expect(() => runKindCommand("editor", "rm", {})).toThrow(
      /'editor' has no host command 'rm' \(it has browse\)/,
    );
    expect(() => runKindCommand("nope", "browse", {})).toThrow(/cannot run 'nope' sessions/);
    expect(() => runKindCommand("editor", "browse", { path: 3 })).toThrow(/invalid browse request/);
  });
});
