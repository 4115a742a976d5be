/**
 * The editor's commands on a host that need no session: `browse {path?}`, a directory of the
 * allowed roots for the web's file browser (`GET /api/files`).
 */
import { BrowseArgs } from "../../../kinds/editor/events.js";
import { parseOrBadRequest } from "../../../protocol/parse.js";
import type { HostKindCommands } from "../runtime.js";
import { editorFileLimit, editorRoots } from "./allowedRoots.js";
import { listDirectory } from "./directoryListing.js";

export const editorHostCommands: HostKindCommands = {
  browse(args) {
    const { path } = parseOrBadRequest(BrowseArgs, args ?? {}, "invalid browse request");
    return listDirectory(path, {
      roots: editorRoots(),
      maxBytes: editorFileLimit().bytes,
    });
  },
};
