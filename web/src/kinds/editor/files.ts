/**
 * The file browser's one request: a directory of a host's allowed roots (`GET /api/files`,
 * shapes as `DirectoryListing` in `src/kinds/editor/events.ts`, which the web may not import).
 */
export interface DirectoryEntry {
  name: string;
  path: string;
  type: "directory" | "file" | "other";
  size?: number;
  /** Why the editor would refuse it; absent: it opens. */
  refused?: string;
}

export interface DirectoryListing {
  roots: string[];
  path: string;
  parent: string | null;
  entries: DirectoryEntry[];
  truncated: boolean;
}

/** The directory at `path` (default: the host's first root); throws the hub's message. */
export async function listDirectory(host: string, path?: string): Promise<DirectoryListing> {
  const query = new URLSearchParams({ host, ...(path ? { path } : {}) });
  const response = await fetch(`/api/files?${query}`, { credentials: "same-origin" });
  const body = (await response.json()) as DirectoryListing & { error?: { message?: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `listing failed (${response.status})`);
  return body;
}
