/**
 * A session kind as the web sees it: a plug-in, like an xterm.js addon. Everything the page
 * does differently for terminals, agents and chats is declared here, once per kind, and the
 * components look the kind up in the registry instead of asking for its name.
 */
import type { Component, Snippet } from "svelte";
import type { JsonEvent } from "../../../src/protocol/events.js";
import type { SessionInfo } from "../../../src/protocol/session.js";
import type { CreateOptions, Workspace } from "../lib/workspace.svelte.js";

/**
 * The page-side model of one opened session: it applies the session's events in seq order,
 * and says when it shows the state the attach asked for.
 */
export interface SessionView {
  readonly id: string;
  /** Seq of the last event applied. */
  readonly lastSeq: number;
  /** An attach is on its way: not current until its reply says up to where. */
  attaching(): void;
  /** After `attached`: current once everything up to `seq` is applied. */
  attached(seq: number): void;
  /** Whether `seq` is live (past what the attach replayed), not history. */
  isLiveSeq(seq: number): boolean;
  whenCurrent(): Promise<void>;
  /** Applies an output frame; false for one already applied (replay overlap). */
  output(seq: number, data: Uint8Array): boolean;
  /** Applies a JSON event; false for one already applied. */
  event(event: JsonEvent): boolean;
  /** The hub's rendered state at `seq` replaces everything; `written` runs once it shows. */
  snapshot(snap: SessionSnapshot, written?: () => void): void;
  focus(): void;
  dispose(): void;
}

export interface SessionSnapshot {
  seq: number;
  cols: number;
  rows: number;
  data: string;
}

/** What an opened session may do to its session (input goes through `SessionInput`'s checks). */
export interface SessionIO {
  input(data: string): void;
  /**
   * A verb of the session's kind (`command {session, name, args}`); resolves with the
   * result's data, rejects with the hub's error.
   */
  command(name: string, args?: unknown): Promise<unknown>;
}

/** The props every kind's view gets; `model` is what the same kind's `open` made. */
export interface KindViewProps<M extends SessionView> {
  workspace: Workspace;
  model: M;
  session: SessionInfo | undefined;
  active: boolean;
}

/** A way to revive (a workspace's "Revive and replay"): a button, and what it asks of the kind. */
export interface ReviveChoice {
  label: string;
  /** What it does, as the button's tooltip. */
  title: string;
  options: Record<string, unknown>;
}

/** The kind's own part of a create request, read from its fields when the dialog submits. */
export type KindCreateOptions = Pick<CreateOptions, "command" | "options">;

/**
 * What the create dialog gives a kind's fields: `where` renders the shared working-directory
 * field, so each kind keeps its fields in their place around it; `host` is where the session
 * will run and `workspace` the page's, for fields that ask the hub (a workspace's kernels).
 */
export interface CreateFieldsProps {
  where: Snippet;
  host: string;
  workspace: Workspace;
}

/** What the kind's create-dialog fields expose to the dialog. */
export interface CreateFieldsExports {
  request(): KindCreateOptions;
}

export interface WebKind<M extends SessionView = SessionView> {
  /** The kind's name in the protocol (`SessionInfo.kind`). */
  readonly name: string;
  readonly label: string;
  /** SVG shapes in a 16x16 box, drawn in the current colour. */
  readonly Icon: Component;
  open(info: SessionInfo, io: SessionIO): M;
  readonly View: Component<KindViewProps<M>>;
  /**
   * How a view with nothing yet attaches: `screen` asks for the current screen (a snapshot)
   * rather than the whole history; `events` needs every event (a conversation).
   */
  readonly attach: "screen" | "events";
  /** Offered in the create dialog: the kind's own fields. */
  readonly create?: Component<CreateFieldsProps, CreateFieldsExports>;
  /** What the hub names a session created without a name, when not a random one (the dialog's hint). */
  readonly unnamed?: string;
  /** An ended session can be started again from the page. */
  readonly revivable: boolean;
  /** Ways to revive offered beside the plain one, each with the options the kind's revive takes. */
  readonly reviveChoices?: readonly ReviveChoice[];
  /** The search bar (Ctrl+Shift+F) applies to its view. */
  readonly searchable: boolean;
  /** The top bar shows what runs in its foreground. */
  readonly foreground: boolean;
  /** The phone key bar (Esc, Tab, Ctrl, arrows) applies to it. */
  readonly keyBar: boolean;
}

/**
 * Forgets a kind's model type for the registry. Sound because the open views keep each
 * model with the kind that opened it (`lib/open-views.ts`), so a kind's `View` only ever gets
 * its own models.
 */
export function defineKind<M extends SessionView>(kind: WebKind<M>): WebKind {
  return kind as unknown as WebKind;
}
