/**
 * One opened `workspace` session: a live runtime ("image") with its evaluations, transcript,
 * buffer, variables and inspector, rebuilt from the session's events in seq order (the same
 * attach-from-last-seq rule as every kind). Everything another client does arrives as the
 * same events, so two pages on one workspace see each other's evaluations live. What the page
 * changes (buffer text, inspector state) goes to the hub as kind commands and comes back as
 * events, so a reload or a second client finds the same workspace.
 */
import type { JsonEvent } from "../../../../src/protocol/events.js";
import { AttachCursor } from "../../lib/attach-cursor.svelte.js";
import type { SessionIO, SessionView } from "../kind.js";
import { stripAnsi } from "./ansi.js";
import type {
  CompleteResult,
  DocResult,
  EvalEndData,
  EvalMode,
  EvalOutput,
  EvalOutputData,
  EvalResult,
  EvalStartData,
  EvalStatus,
  InspectedObject,
  InspectorState,
  KernelData,
  KernelStats,
  ReplayData,
  VariablesData,
} from "./model.js";

export interface Evaluation {
  /** Stable key for the list. */
  key: number;
  id: string;
  code: string;
  mode: EvalMode;
  origin: EvalStartData["origin"];
  count: number | null;
  /** null while it runs. */
  status: EvalStatus | null;
  outputs: EvalOutput[];
  truncatedBytes: number;
}

/** One thing the runtime printed, for the transcript pane. */
export interface TranscriptLine {
  key: number;
  ts: number;
  count: number | null;
  stream: "input" | "stdout" | "stderr" | "result" | "display" | "error" | "notice";
  text: string;
}

/** One page-by-page loaded node of the inspector tree, by path. */
export interface InspectorNode {
  object?: InspectedObject;
  loading: boolean;
  error?: string;
}

/** Children per request; the tree pages further with "more". */
export const INSPECT_PAGE = 50;
/** Buffer edits wait this long for the next keystroke before going to the hub. */
const BUFFER_DEBOUNCE_MS = 300;
/** The transcript keeps this many lines in the page (the log keeps everything). */
const MAX_TRANSCRIPT_LINES = 5000;
/** Evaluations shown with their outputs; older ones leave the page (the log keeps them). */
const MAX_EVALUATIONS = 500;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What an output says in the transcript, as text. */
function transcriptText(output: EvalOutput): string {
  switch (output.type) {
    case "stream":
      return stripAnsi(output.text);
    case "error":
      return stripAnsi([`${output.ename}: ${output.evalue}`, ...output.traceback].join("\n"));
    default: {
      const plain = output.data["text/plain"];
      if (plain !== undefined) return stripAnsi(plain);
      const mime = Object.keys(output.data)[0];
      return mime ? `[${mime}]` : "";
    }
  }
}

export class WorkspaceView implements SessionView {
  readonly id: string;
  kernel = $state<KernelData>({});
  evaluations = $state<Evaluation[]>([]);
  transcript = $state<TranscriptLine[]>([]);
  /** The buffer as the hub has it (what a fresh editor shows). */
  buffer = $state("");
  /** Bumped when the hub's buffer should replace the editor's text (another client's edit). */
  bufferVersion = $state(0);
  variables = $state<VariablesData | undefined>();
  inspector = $state<InspectorState>({ selected: null, expanded: [] });
  /** Loaded inspector nodes by path (answers of `inspect`, not events). */
  nodes = $state<Record<string, InspectorNode>>({});
  /** The object "inspect it" opened, shown above the variables. */
  inspected = $state<InspectedObject | undefined>();
  /** Evaluations that left the page (beyond `MAX_EVALUATIONS`). */
  hiddenEvaluations = $state(0);
  /** The kernel process's memory and CPU, as its last `stats` said (polled while shown). */
  stats = $state<KernelStats | undefined>();
  /** The last command that failed (shown in the view's bar). */
  problem = $state<string | undefined>();
  /** Focuses the editor (set by the view). */
  focusEditor: (() => void) | undefined;

  readonly #cursor = new AttachCursor();
  #nextKey = 1;
  #disposed = false;
  #bufferTimer: ReturnType<typeof setTimeout> | undefined;
  /** Buffer commands sent and not yet answered: their echoes must not undo newer typing. */
  #buffersInFlight = 0;
  readonly #io: SessionIO;

  constructor(id: string, io: SessionIO) {
    this.id = id;
    this.#io = io;
  }

  get busy(): boolean {
    return this.kernel.execution === "busy" || this.evaluations.some((e) => e.status === null);
  }

  /** Runs code in the image; outputs arrive as events. "Inspect it" opens the result. */
  async evaluate(code: string, mode: EvalMode): Promise<void> {
    this.problem = undefined;
    try {
      const result = (await this.#io.command("eval", { code, mode })) as EvalResult | undefined;
      if (mode === "inspect" && result?.inspected) {
        this.inspected = result.inspected;
        this.nodes[result.inspected.path] = { object: result.inspected, loading: false };
        this.setInspector({ selected: result.inspected.path, expanded: this.inspector.expanded });
      }
    } catch (err) {
      this.problem = errorText(err);
    }
  }

  /** The kernel's completions at `cursor` (code points); undefined when it cannot answer now. */
  async complete(code: string, cursor: number): Promise<CompleteResult | undefined> {
    return (await this.#run("complete", { code, cursor })) as CompleteResult | undefined;
  }

  /** What the kernel says of the name at `cursor` (its inspect_request). */
  async doc(code: string, cursor: number): Promise<DocResult | undefined> {
    return (await this.#run("doc", { code, cursor, detail: 0 })) as DocResult | undefined;
  }

  /** Asks the host for the kernel process's memory and CPU; quiet when it cannot answer. */
  async refreshStats(): Promise<void> {
    try {
      this.stats = (await this.#io.command("stats", {})) as KernelStats;
    } catch {
      // Ended, or its host away: the bar shows the kernel's state without figures.
      this.stats = undefined;
    }
  }

  async interrupt(): Promise<void> {
    await this.#run("interrupt", {});
  }

  async restart(): Promise<void> {
    await this.#run("restart", {});
  }

  /** The editor's text changed here: kept, and sent to the hub once typing pauses. */
  edited(text: string): void {
    this.buffer = text;
    clearTimeout(this.#bufferTimer);
    this.#bufferTimer = setTimeout(() => {
      this.#bufferTimer = undefined;
      this.#buffersInFlight++;
      void this.#run("buffer", { text }).finally(() => this.#buffersInFlight--);
    }, BUFFER_DEBOUNCE_MS);
  }

  /** Opens or closes a node of the inspector tree; the state goes to the hub. */
  toggle(path: string): void {
    const expanded = this.inspector.expanded.includes(path)
      ? this.inspector.expanded.filter((p) => p !== path)
      : [...this.inspector.expanded, path];
    this.setInspector({ selected: path, expanded });
    if (expanded.includes(path)) void this.load(path);
  }

  setInspector(state: InspectorState): void {
    this.inspector = state;
    void this.#run("inspector-state", state);
  }

  /** Loads a node's first page, or its next one (`more`). */
  async #restoreInspector(): Promise<void> {
    if (this.#disposed) return;
    for (const path of this.inspector.expanded) void this.load(path);
    const selected = this.inspector.selected;
    if (selected === null || this.inspected) return;
    await this.load(selected);
    const object = this.nodes[selected]?.object;
    if (object && this.inspector.selected === selected) this.inspected = object;
  }

  async load(path: string, more = false): Promise<void> {
    const node = this.nodes[path];
    if (node?.loading || (node?.object && !more)) return;
    const offset = more && node?.object ? node.object.children.length : 0;
    this.nodes[path] = { ...node, loading: true, error: undefined };
    try {
      const page = (await this.#io.command("inspect", {
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

  get lastSeq(): number {
    return this.#cursor.lastSeq;
  }

  attaching(): void {
    this.#cursor.attaching();
  }

  attached(seq: number): void {
    this.#cursor.attached(seq);
    // Once the stored events are applied, the inspector comes back as it was left: the open
    // nodes load, and the selected object shows.
    void this.whenCurrent().then(() => this.#restoreInspector());
  }

  isLiveSeq(seq: number): boolean {
    return this.#cursor.isLiveSeq(seq);
  }

  whenCurrent(): Promise<void> {
    return this.#cursor.whenCurrent();
  }

  /** A workspace writes no terminal output; a stray frame only advances the seq. */
  output(seq: number): boolean {
    if (!this.#cursor.advance(seq)) return false;
    this.#cursor.settle();
    return true;
  }

  event(event: JsonEvent): boolean {
    if (!this.#cursor.advance(event.seq)) return false;
    this.#apply(event);
    this.#cursor.settle();
    return true;
  }

  /** History the hub no longer stores as events: only what follows can be shown. */
  snapshot(snap: { seq: number }, written?: () => void): void {
    if (this.#disposed) return;
    this.evaluations = [];
    this.hiddenEvaluations = 0;
    this.transcript = [];
    this.#note(Date.now(), "Earlier evaluations are no longer stored.");
    this.#cursor.lastSeq = snap.seq;
    this.#cursor.settle();
    written?.();
  }

  focus(): void {
    this.focusEditor?.();
  }

  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#bufferTimer);
    this.#cursor.dispose();
  }

  #apply(event: JsonEvent): void {
    const data = event.data;
    switch (event.type) {
      case "kernel":
        this.kernel = { ...this.kernel, ...(data as KernelData) };
        break;
      case "eval-start":
        this.#start(event.ts, data as unknown as EvalStartData);
        break;
      case "eval-output":
        this.#output(event.ts, data as unknown as EvalOutputData);
        break;
      case "eval-end":
        this.#end(data as unknown as EvalEndData);
        break;
      case "buffer":
        this.#buffer(String(data["text"] ?? ""));
        break;
      case "inspector-state":
        this.inspector = data as unknown as InspectorState;
        break;
      case "variables":
        this.variables = data as unknown as VariablesData;
        // Values changed: what was loaded under them is stale; open nodes load again.
        this.nodes = {};
        if (this.isLiveSeq(event.seq)) for (const path of this.inspector.expanded) void this.load(path);
        break;
      case "replay":
        this.#replay(event.ts, data as unknown as ReplayData);
        break;
      case "exit":
        this.kernel = { ...this.kernel, execution: "dead" };
        for (const e of this.evaluations) if (e.status === null) e.status = "aborted";
        this.#note(event.ts, "The image has ended.");
        break;
      case "revived":
        this.#note(event.ts, "The image was started again.");
        break;
      case "gap":
        this.#note(event.ts, "Some output was lost here.");
        break;
      default:
        break;
    }
  }

  #start(ts: number, data: EvalStartData): void {
    const who = data.origin === "client" ? "" : ` (${data.origin})`;
    this.#line({ ts, count: null, stream: "input", text: `In${who}: ${data.code}` });
    this.evaluations.push({
      key: this.#nextKey++,
      id: data.id,
      code: data.code,
      mode: data.mode,
      origin: data.origin,
      count: null,
      status: null,
      outputs: [],
      truncatedBytes: 0,
    });
    if (this.evaluations.length > MAX_EVALUATIONS) {
      const dropped = this.evaluations.length - MAX_EVALUATIONS;
      this.evaluations.splice(0, dropped);
      this.hiddenEvaluations += dropped;
    }
  }

  #find(id: string | null): Evaluation | undefined {
    if (id === null) return undefined;
    for (let i = this.evaluations.length - 1; i >= 0; i--) {
      const e = this.evaluations[i] as Evaluation;
      if (e.id === id) return e;
    }
    return undefined;
  }

  #output(ts: number, data: EvalOutputData): void {
    const evaluation = this.#find(data.id);
    if (evaluation) {
      if (data.count !== null) evaluation.count = data.count;
      const last = evaluation.outputs.at(-1);
      // Consecutive stream chunks of one stream read as one block.
      if (last?.type === "stream" && data.output.type === "stream" && last.name === data.output.name)
        last.text += data.output.text;
      else evaluation.outputs.push(data.output);
    }
    const stream = data.output.type === "stream" ? data.output.name : data.output.type;
    this.#line({ ts, count: data.count, stream, text: transcriptText(data.output) });
  }

  #end(data: EvalEndData): void {
    const evaluation = this.#find(data.id);
    if (!evaluation) return;
    evaluation.status = data.status;
    if (data.count !== null) evaluation.count = data.count;
    evaluation.truncatedBytes = data.truncatedBytes;
  }

  #buffer(text: string): void {
    // Our own typing is newer than anything the hub echoes while edits are on their way.
    if (this.#bufferTimer !== undefined || this.#buffersInFlight > 0 || text === this.buffer) return;
    this.buffer = text;
    this.bufferVersion++;
  }

  #replay(ts: number, data: ReplayData): void {
    const failed = data.failed.map((f) => `\n  ${f.code.split("\n")[0]} → ${f.ename}: ${f.evalue}`).join("");
    this.#note(ts, `Replayed ${data.ran} of ${data.total} evaluations.${failed ? ` Failed:${failed}` : ""}`);
  }

  #note(ts: number, text: string): void {
    this.#line({ ts, count: null, stream: "notice", text });
  }

  #line(line: Omit<TranscriptLine, "key">): void {
    this.transcript.push({ ...line, key: this.#nextKey++ });
    if (this.transcript.length > MAX_TRANSCRIPT_LINES)
      this.transcript.splice(0, this.transcript.length - MAX_TRANSCRIPT_LINES);
  }

  async #run(name: string, args: unknown): Promise<unknown> {
    try {
      return await this.#io.command(name, args);
    } catch (err) {
      this.problem = `${name}: ${errorText(err)}`;
      return undefined;
    }
  }
}
