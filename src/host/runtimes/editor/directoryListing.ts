/**
 * The editor's file browser on a host: one directory inside the allowed roots, with each entry
 * marked as the editor would treat it, so the page offers only what opening would accept. The
 * same checks as opening a file (`resolveInRoots`): `..`, paths outside the roots and links
 * that lead out are refused; files over the size limit or not UTF-8 text are marked refused.
 */
import { closeSync, type Dirent, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { mib } from "../../../core/byteSize.js";
import type { DirectoryEntry, DirectoryListing } from "../../../kinds/editor/events.js";
import { fileError, inside, resolveInRoots } from "./allowedRoots.js";

/** Entries one listing holds; a directory with more says `truncated`. */
export const MAX_LISTED_ENTRIES = 2000;
/** Bytes read from each file to tell text from binary (what `file` and git look at too). */
const SNIFF_BYTES = 8 * 1024;

export interface ListingOptions {
  roots: readonly string[];
  maxBytes: number;
}

export function listDirectory(requested: string | undefined, options: ListingOptions): DirectoryListing {
  const { roots } = options;
  const { path } = resolveInRoots(requested ?? roots[0] ?? "/", roots, "directory");
  let dirents: Dirent[];
  try {
    dirents = readdirSync(path, { withFileTypes: true });
  } catch (err) {
    throw fileError(err, path);
  }
  const entries = dirents
    .slice(0, MAX_LISTED_ENTRIES)
    .map((dirent) => describe(join(path, dirent.name), dirent.name, options));
  entries.sort(
    (a, b) => Number(b.type === "directory") - Number(a.type === "directory") || a.name.localeCompare(b.name),
  );
  const atRoot = roots.includes(path);
  return {
    roots: [...roots],
    path,
    parent: atRoot ? null : dirname(path),
    entries,
    truncated: dirents.length > MAX_LISTED_ENTRIES,
  };
}

function describe(path: string, name: string, options: ListingOptions): DirectoryEntry {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return { name, path, type: "other", refused: "a broken link or unreadable" };
  }
  const outside = !options.roots.some((root) => inside(real, root));
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(real);
  } catch {
    return { name, path, type: "other", refused: "permission denied" };
  }
  const type = stat.isDirectory() ? "directory" : stat.isFile() ? "file" : "other";
  const entry: DirectoryEntry = { name, path, type, ...(type === "file" ? { size: stat.size } : {}) };
  const refused = outside
    ? `a link that leads outside the allowed roots (to ${real})`
    : type === "other"
      ? "not a regular file"
      : type === "file"
        ? fileProblem(real, stat.size, options.maxBytes)
        : undefined;
  return refused ? { ...entry, refused } : entry;
}

function fileProblem(path: string, size: number, maxBytes: number): string | undefined {
  if (size > maxBytes) return `too large (${mib(size)}; the editor opens up to ${mib(maxBytes)})`;
  const head = Buffer.alloc(Math.min(size, SNIFF_BYTES));
  try {
    const fd = openSync(path, "r");
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return "permission denied";
  }
  if (head.includes(0)) return "binary (not UTF-8 text)";
  try {
    // Streaming lets a character cut at the sniff's end pass; a bad byte before it does not.
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: size > head.length });
  } catch {
    return "binary (not UTF-8 text)";
  }
  return undefined;
}
