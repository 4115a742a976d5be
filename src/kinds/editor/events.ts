/**
 * The editor kind's events and commands' argument schemas, shared by the hub half, the host
 * runtime, the web view and the CLI. Every Yjs update is an `update` event (base64), so the
 * text at any seq is rebuilt by applying the updates up to it.
 */
import { z } from "zod";

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "not base64");
/** Who made a change, as they named themselves (`web:ada`, `rest`, `disk`). */
export const ClientName = z.string().min(1).max(64);

/** A Yjs update: `{update, client}`; `client` "disk" for loads and reloads from the file. */
export const UpdateData = z.object({ update: Base64, client: ClientName });
/** A y-protocols awareness update (cursors, selections, names), not part of the text. */
export const PresenceData = z.object({ update: Base64 });

export const FileStatus = z.enum(["clean", "dirty", "conflict", "deleted"]);
export type FileStatus = z.infer<typeof FileStatus>;
/** The file's state: its real path, hash of what is on disk (as last loaded or saved), status. */
export const FileData = z.object({
  path: z.string(),
  status: FileStatus,
  hash: z.string(),
  /** What happened: opened, edited, saved, reloaded, conflict, resolved, deleted. */
  reason: z.string(),
});
export type FileData = z.infer<typeof FileData>;

export const EditorOptions = z
  .object({
    path: z.string().min(1, "give the file's path"),
    /** Create the file (empty) when it does not exist. */
    create: z.boolean().default(false),
    /** Save by itself this long after the last edit (ms); 0 = only explicit saves. */
    autosaveMs: z.number().int().min(0).max(3_600_000).default(0),
    /** Revive only: the Yjs state to continue from and the disk hash it was last in step with. */
    state: Base64.optional(),
    hash: z.string().optional(),
  })
  .strict();
export type EditorOptions = z.infer<typeof EditorOptions>;

export const Edit = z.object({
  from: z.number().int().min(0),
  to: z.number().int().min(0),
  insert: z.string(),
});
export const EditsArgs = z.object({
  edits: z.array(Edit).min(1).max(10_000),
  client: ClientName.default("rest"),
  /**
   * The seq of the text the positions refer to (`text` answers it); absent: the current text.
   * Edits based on an older seq are moved over the changes made since, or refused (409).
   */
  baseSeq: z.number().int().min(0).optional(),
});
export const UpdateArgs = z.object({ update: Base64, client: ClientName.default("rest") });
export const ResolveArgs = z.discriminatedUnion("take", [
  z.object({ take: z.literal("disk") }),
  z.object({ take: z.literal("buffer") }),
  z.object({ take: z.literal("text"), text: z.string() }),
]);
export const AtArgs = z.object({ seq: z.number().int().min(0) });

/**
 * One piece of a change, over the text just before it: `from`-`to` replaced by `insert` (an
 * insertion has from = to, a deletion an empty insert). `more`: inserted characters not shown.
 */
export const TextPiece = z.object({
  from: z.number(),
  to: z.number(),
  insert: z.string(),
  more: z.number().optional(),
});
export type TextPiece = z.infer<typeof TextPiece>;
/** A change of the text in `history`: its seq, when, who, and what (`morePieces` not listed). */
export const TextChange = z.object({
  seq: z.number(),
  ts: z.number(),
  client: z.string(),
  pieces: z.array(TextPiece),
  morePieces: z.number().optional(),
});
export type TextChange = z.infer<typeof TextChange>;
export const History = z.object({ changes: z.array(TextChange) });

/** What a web page or script sends as `input`: one JSON message per input chunk. */
export const EditorInput = z.discriminatedUnion("type", [
  z.object({ type: z.literal("update"), update: Base64, client: ClientName }),
  z.object({ type: z.literal("presence"), update: Base64 }),
]);
export type EditorInput = z.infer<typeof EditorInput>;

/** `browse {path?}`: a directory of the host inside its allowed roots (default: the first root). */
export const BrowseArgs = z.object({ path: z.string().min(1).max(4096).optional() }).strict();
export type BrowseArgs = z.infer<typeof BrowseArgs>;

export const DirectoryEntry = z.object({
  name: z.string(),
  /** The path to open or browse (inside a root). */
  path: z.string(),
  type: z.enum(["directory", "file", "other"]),
  /** Bytes, for files. */
  size: z.number().optional(),
  /** Why the editor would refuse it (binary, too large, a link out of the roots, unreadable). */
  refused: z.string().optional(),
});
export type DirectoryEntry = z.infer<typeof DirectoryEntry>;

export const DirectoryListing = z.object({
  /** The host's allowed roots (real paths). */
  roots: z.array(z.string()),
  /** The directory listed (its real path). */
  path: z.string(),
  /** Its parent, or null at a root (the browser goes no higher). */
  parent: z.string().nullable(),
  /** Directories first, then files, each by name. */
  entries: z.array(DirectoryEntry),
  /** More entries than a listing holds (the rest are not shown). */
  truncated: z.boolean(),
});
export type DirectoryListing = z.infer<typeof DirectoryListing>;
