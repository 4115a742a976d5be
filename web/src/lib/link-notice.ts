/**
 * A share link that did not open: the hub sends the browser to the page with a fragment
 * saying why (`SHARE_LINK_PROBLEM`), and the page tells the person once, in words.
 */
import { SHARE_LINK_PROBLEM } from "../../../src/protocol/shareLinks.js";

const NOTICES: Record<string, string> = {
  [SHARE_LINK_PROBLEM.refused]:
    "This share link is unknown, expired or revoked. Ask the person who sent it for a new one.",
  [SHARE_LINK_PROBLEM.gone]:
    "The session this share link opened no longer exists. Ask the person who sent it for a new one.",
};

/** The notice the address carries, taken out of the address (a reload does not repeat it); "" if none. */
export function takeLinkNotice(): string {
  const notice = NOTICES[location.hash.slice(1)] ?? "";
  if (notice) history.replaceState(null, "", location.pathname + location.search);
  return notice;
}
