/**
 * A kind whose model and view live in a code-split chunk, loaded when its first session is
 * opened: the editor's CodeMirror and Yjs are a third of the page's script, and a page that
 * never opens an editor should not download them. Its sessions' models are `DeferredView`s
 * until the chunk is in.
 */

import DeferredPane from "./DeferredPane.svelte";
import { DeferredView, type LoadedKind } from "./deferred-view.js";
import { defineKind, type WebKind } from "./kind.js";

export type { LoadedKind } from "./deferred-view.js";

/**
 * The kind with `open` and `View` from `load` (an `import()` of the chunk), loaded once, when
 * the first of its sessions is opened; a failed load is tried again by the next open.
 */
export function deferredKind(kind: Omit<WebKind, "open" | "View">, load: () => Promise<LoadedKind>): WebKind {
  let loading: Promise<LoadedKind> | undefined;
  const once = (): Promise<LoadedKind> => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
  return defineKind<DeferredView>({
    ...kind,
    open: (info, io) => new DeferredView(info, io, once),
    View: DeferredPane,
  });
}
