/**
 * Where `GET /share/TOKEN` sends a browser when the link does not open, as the fragment of the
 * web UI's address (`/#share-refused`): the page says why instead of showing a JSON error.
 * A module of its own, without zod, so the web UI can import it without bundling zod.
 */
/** Where share links live on the hub: `/share/TOKEN`. */
export const SHARE_PATH = "/share/";

export const SHARE_LINK_PROBLEM = {
  /** Unknown, expired or revoked. */
  refused: "share-refused",
  /** Its session was removed. */
  gone: "share-gone",
} as const;
