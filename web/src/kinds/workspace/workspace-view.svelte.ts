/**
 * One opened `workspace` session: a live runtime ("image") with its evaluations, transcript,
 * buffer, variables and inspector, rebuilt from the session's events in seq order (the same
 * attach-from-last-seq rule as every kind). Everything another client does arrives as the
 * same events, so two pages on one workspace see each other's evaluations live. What the page
 * changes (buffer text, inspector state) goes to the hub as kind commands and comes back as
 * events, so a reload or a second client finds the same workspace.
 */
import { droppedEventReason } from "../../../../src/protocol/droppedEvent.js";
import type { JsonEvent } from "../../../../src/protocol/events.js";
import { AttachCursor } from "../../lib/attach-cursor.svelte.js";
import type { SessionIO, SessionView } from "../kind.js";
import { type Evaluation, EvaluationLog, type TranscriptLine } from "./evaluation-log.svelte.js";
import { errorText, InspectorTree } from "./inspector-tree.svelte.js";
import type {
  CompleteResult,
  DocResult,
  EvalMode,
  EvalResult,
  InspectorState,
  KernelData,
  KernelStats,
  VariablesData,
} from "./model.js";

export type { Evaluation, TranscriptLine };

/** Buffer edits wait this long for the next keystroke before going to the hub. */
const BUFFER_DEBOUNCE_MS = 300;

/** 128 random bits as hex (`crypto.randomUUID` exists only on https pages and localhost). */
function randomRef(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class WorkspaceView implements SessionView {
  readonly id: string;
  kernel = $state<KernelData>({});
  /** The evaluations and the transcript (`evaluation-log.svelte.ts`). */
  readonly log = new EvaluationLog();
  /** The buffer as the hub has it (what a fresh editor shows). */
  buffer = $state("");
  /** Bumped when the hub's buffer should replace the editor's text (another client's edit). */
  bufferVersion = $state(0);
  variables = $state<VariablesData | undefined>();
  /** The inspector's state, nodes and opened object (`inspector-tree.svelte.ts`). */
  readonly tree: InspectorTree;
  /** The kernel process's memory and CPU, as its last `stats` said (polled while shown). */
  stats = $state<KernelStats | undefined>();
  /** The last command that failed (shown in the view's bar). */
  problem = $state<string | undefined>();
  /** Focuses the editor (set by the view). */
  focusEditor: (() => void) | undefined;

  readonly #cursor = new AttachCursor();
  #disposed = false;
  #bufferTimer: ReturnType<typeof setTimeout> | undefined;
  /** Buffer commands sent and not yet answered: their echoes must not undo newer typing. */
  #buffersInFlight = 0;
  readonly #io: SessionIO;

  constructor(id: string, io: SessionIO) {
    this.id = id;
    this.#io = io;
    this.tree = new InspectorTree({
      command: (name, args) => io.command(name, args),
      run: (name, args) => this.#run(name, args),
    });
  }

  get inspector(): InspectorState {
    return this.tree.state;
  }

  get nodes(): InspectorTree["nodes"] {
    return this.tree.nodes;
  }

  get inspected(): InspectorTree["inspected"] {
    return this.tree.inspected;
  }

  set inspected(object: InspectorTree["inspected"]) {
    this.tree.inspected = object;
  }

  get evaluations(): Evaluation[] {
    return this.log.evaluations;
  }

  get transcript(): TranscriptLine[] {
    return this.log.transcript;
  }

  /** Evaluations that left the page (the hub's log keeps them). */
  get hiddenEvaluations(): number {
    return this.log.hiddenEvaluations;
  }

  get busy(): boolean {
    return this.kernel.execution === "busy" || this.log.running;
  }

  /**
   * Answers a cell's pending `input()` prompt with a line; a viewer, or a prompt answered or
   * cancelled meanwhile, gets the hub's refusal in the bar. True when the line was taken.
   */
  async answer(id: string, value: string): Promise<boolean> {
    return (await this.#run("input", { id, value })) !== undefined;
  }

  /**
   * Runs code in the image; outputs arrive as events. "Inspect it" opens the result. Named by a
   * ref, so that the host's word that it waits behind other cells reaches its card.
   */
  async evaluate(code: string, mode: EvalMode): Promise<void> {
    this.problem = undefined;
    const ref = randomRef();
    this.log.waiting.sent(ref, code, mode);
    try {
      const result = (await this.#io.command("eval", { code, mode, ref })) as EvalResult | undefined;
      // Taken out of the queue before its turn (a restart, the image ended): its waiting card
      // goes, and nothing else would say that it never ran.
      if (this.log.waiting.answered(ref) && result?.status === "aborted")
        this.problem = `eval: ${result.error?.evalue ?? "it never ran (it waited its turn)"}`;
      if (mode === "inspect" && result?.inspected) this.tree.open(result.inspected);
    } catch (err) {
      this.log.waiting.answered(ref);
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

  /**
   * Takes the evaluation `ref` (this page's or another client's) out of the queue before its
   * turn (as Ctrl-C does for `dispatch eval`): the cell that runs, someone else's perhaps, goes
   * on. Its `eval` then answers that it never ran, and its card goes on every page
   * (`eval-withdrawn`).
   */
  async withdraw(ref: string): Promise<void> {
    await this.#run("interrupt", { ref });
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
    this.tree.toggle(path);
  }

  /** Loads a node's first page, or its next one (`more`). */
  async load(path: string, more = false): Promise<void> {
    await this.tree.load(path, more);
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
    void this.whenCurrent().then(() => {
      if (!this.#disposed) return this.tree.restore();
    });
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
    this.log.reset(Date.now());
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
    if (this.log.apply(event)) return;
    switch (event.type) {
      case "kernel":
        this.kernel = { ...this.kernel, ...(data as KernelData) };
        break;
      case "buffer":
        this.#buffer(String(data["text"] ?? ""));
        break;
      case "inspector-state":
        this.tree.state = data as unknown as InspectorState;
        break;
      case "variables":
        this.variables = data as unknown as VariablesData;
        this.tree.changed(this.isLiveSeq(event.seq));
        break;
      case "exit":
        this.kernel = { ...this.kernel, execution: "dead" };
        this.log.ended(event.ts);
        break;
      case "revived":
        this.log.note(event.ts, "The image was started again.");
        break;
      case "gap":
        this.log.note(event.ts, droppedEventReason(event.data) ?? "Some output was lost here.");
        break;
      default:
        break;
    }
  }

  #buffer(text: string): void {
    // Our own typing is newer than anything the hub echoes while edits are on their way.
    if (this.#bufferTimer !== undefined || this.#buffersInFlight > 0 || text === this.buffer) return;
    this.buffer = text;
    this.bufferVersion++;
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
