/**
 * The inspector of a workspace page: which object is selected, which nodes are open (state the
 * hub keeps, so a reload or a second client finds it the same), and the nodes loaded page by page
 * with `inspect` (answers, not events: loaded again when the values change). Apart from
 * `workspace-view.svelte.ts`, which holds the rest of the session and hands this the commands.
 */
import type { InspectedObject, InspectorState } from "./model.js";

/** One page-by-page loaded node of the inspector tree, by path. */
export interface InspectorNode {
  object?: InspectedObject;
  loading: boolean;
  error?: string;
}

/** Children per request; the tree pages further with "more". */
export const INSPECT_PAGE = 50;

/** How the tree reaches the hub: `command` throws, `run` shows a failure in the view's bar. */
export interface InspectorCommands {
  command(name: string, args: unknown): Promise<unknown>;
  run(name: string, args: unknown): Promise<unknown>;
}

/** A failure as the bar or a node shows it (also the view's, `workspace-view.svelte.ts`). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class InspectorTree {
  state = $state<InspectorState>({ selected: null, expanded: [] });
  /** Loaded inspector nodes by path (answers of `inspect`, not events). */
  nodes = $state<Record<string, InspectorNode>>({});
  /** The object "inspect it" opened, shown above the variables. */
  inspected = $state<InspectedObject | undefined>();

  readonly #commands: InspectorCommands;

  constructor(commands: InspectorCommands) {
    this.#commands = commands;
  }

  /** An evaluation in mode `inspect` answered with this object: it opens, selected. */
  open(object: InspectedObject): void {
    this.inspected = object;
    this.nodes[object.path] = { object, loading: false };
    this.set({ selected: object.path, expanded: this.state.expanded });
  }

  /** Opens or closes a node of the tree; the state goes to the hub. */
  toggle(path: string): void {
    const expanded = this.state.expanded.includes(path)
      ? this.state.expanded.filter((p) => p !== path)
      : [...this.state.expanded, path];
    this.set({ selected: path, expanded });
    if (expanded.includes(path)) void this.load(path);
  }

  set(state: InspectorState): void {
    this.state = state;
    void this.#commands.run("inspector-state", state);
  }

  /** Once the stored events are applied: the open nodes load, and the selected object shows. */
  async restore(): Promise<void> {
    for (const path of this.state.expanded) void this.load(path);
    const selected = this.state.selected;
    if (selected === null || this.inspected) return;
    await this.load(selected);
    const object = this.nodes[selected]?.object;
    if (object && this.state.selected === selected) this.inspected = object;
  }

  /** Values changed: what was loaded under them is stale; open nodes load again if `live`. */
  changed(live: boolean): void {
    this.nodes = {};
    if (live) for (const path of this.state.expanded) void this.load(path);
  }

  /** Loads a node's first page, or its next one (`more`). */
  async load(path: string, more = false): Promise<void> {
    const node = this.nodes[path];
    if (node?.loading || (node?.object && !more)) return;
    const offset = more && node?.object ? node.object.children.length : 0;
    this.nodes[path] = { ...node, loading: true, error: undefined };
    try {
      const page = (await this.#commands.command("inspect", {
        expr: path,
        offset,
        limit: INSPECT_PAGE,
      })) as InspectedObject;
      const previous = more ? (this.nodes[path]?.object?.children ?? []) : [];
      this.nodes[path] = { object: { ...page, children: [...previous, ...page.children] }, loading: false };
    } catch (err) {
      this.nodes[path] = { ...this.nodes[path], loading: false, error: errorText(err) };
    }
  }
}
