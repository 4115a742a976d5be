/**
 * `workspace`: a live runtime ("image", a Jupyter kernel) with an editor to evaluate code in,
 * the outputs under each evaluation, a transcript and an inspector. It needs its events, not
 * a screen, to attach: the workspace is rebuilt from them.
 */
import { defineKind } from "../kind.js";
import CreateFields from "./CreateFields.svelte";
import Icon from "./Icon.svelte";
import { WORKSPACE } from "./model.js";
import WorkspacePane from "./WorkspacePane.svelte";
import { WorkspaceView } from "./workspace-view.svelte.js";

export const workspace = defineKind({
  name: WORKSPACE,
  label: "Workspace on a kernel",
  Icon,
  open: (info, io) => new WorkspaceView(info.id, io),
  View: WorkspacePane,
  attach: "events",
  create: CreateFields,
  revivable: true,
  reviveChoices: [
    {
      label: "Revive and replay",
      title: "Start a fresh kernel and re-run the evaluations that succeeded, in order",
      options: { replay: true },
    },
  ],
  searchable: false,
  foreground: false,
  keyBar: false,
});
