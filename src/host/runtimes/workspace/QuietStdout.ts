/**
 * The stdout of one silent request of ours (`Introspection`): the adapter's answer, the line
 * after `ANSWER_MARK`, apart from what else came on it. ipykernel and xeus-python publish a
 * background thread's output under the request the kernel runs, our silent one too, merged with
 * the answer in one stream message at times: those lines are the thread's cell's output, and
 * were lost when the whole stream was taken as the answer.
 */
import { ANSWER_MARK } from "../jupyter/adapters/adapter.js";

export class QuietStdout {
  private readonly answers: string[] = [];
  /** An answer whose line has not ended yet. */
  private partial: string | undefined;

  /**
   * Takes the next text of the request's stdout; returns what is not the answer, in order. The
   * mark is never split between messages (the adapter writes it with its answer in one write,
   * which kernels publish whole, and `StreamMerge` only joins); the answer's line may be.
   */
  take(text: string): string {
    let rest = text;
    let shown = "";
    for (;;) {
      if (this.partial !== undefined) {
        const end = rest.indexOf("\n");
        if (end < 0) {
          this.partial += rest;
          return shown;
        }
        this.answers.push(this.partial + rest.slice(0, end));
        this.partial = undefined;
        rest = rest.slice(end + 1);
      }
      const mark = rest.indexOf(ANSWER_MARK);
      if (mark < 0) return shown + rest;
      shown += rest.slice(0, mark);
      this.partial = "";
      rest = rest.slice(mark + ANSWER_MARK.length);
    }
  }

  /** The last answer (one whose line never ended counts: the request is over). */
  get answer(): string | undefined {
    return this.partial ?? this.answers.at(-1);
  }
}
