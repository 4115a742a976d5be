/**
 * The lines entered before, for Up and Down at a `LineEditor`: oldest first, the line being
 * typed kept aside while older ones are looked at, and a recalled line edited before moving on
 * kept as edited until Enter (as readline does), so nothing typed is lost by going up and back.
 */

/** Bound on what is kept: a workspace fed cells by the web for months must not grow without end. */
const MAX_ENTRIES = 1000;

export class LineHistory {
  private readonly entries: string[] = [];
  /** Where Up and Down are: an entry's index, or `entries.length` for the line being typed. */
  private at = 0;
  /** The line being typed, kept while older ones are shown. */
  private draft = "";
  /** Recalled entries edited before moving on, by index. */
  private readonly edits = new Map<number, string>();

  /** A line entered (blank lines and one equal to the last are not kept twice). */
  add(entry: string): void {
    if (entry.trim() === "" || this.entries.at(-1) === entry) return;
    const browsing = this.at < this.entries.length;
    this.entries.push(entry);
    if (browsing) return;
    this.at = this.entries.length;
    if (this.edits.size === 0) this.trim();
  }

  /** Up from `current` (what the line holds now): the entry before, or undefined at the oldest. */
  older(current: string): string | undefined {
    if (this.at === 0) return undefined;
    this.keep(current);
    this.at--;
    return this.recalled();
  }

  /** Down from `current`: the entry after, the line typed before going up, or undefined there. */
  newer(current: string): string | undefined {
    if (this.at >= this.entries.length) return undefined;
    this.keep(current);
    this.at++;
    return this.at === this.entries.length ? this.draft : this.recalled();
  }

  /** The line was entered or dropped: Up starts again from the newest, edits forgotten. */
  reset(): void {
    this.edits.clear();
    this.draft = "";
    this.trim();
    this.at = this.entries.length;
  }

  private recalled(): string {
    return this.edits.get(this.at) ?? (this.entries[this.at] as string);
  }

  private keep(current: string): void {
    if (this.at === this.entries.length) this.draft = current;
    else if (current === this.entries[this.at]) this.edits.delete(this.at);
    else this.edits.set(this.at, current);
  }

  private trim(): void {
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }
}

/**
 * One `LineHistory` per person who typed (a chat's: Up brings back what you sent, not what
 * another person at the same line did), each starting with the lines everyone shares (a
 * conversation's messages from before, whose sender is not known). A host that keeps one
 * history for all asks only for "" (`of("")`).
 */
export class LineHistories {
  private readonly byPerson = new Map<string, LineHistory>();
  private readonly shared: string[] = [];

  /** `person`'s history (their id; "" where the hub did not say who typed). */
  of(person: string): LineHistory {
    let history = this.byPerson.get(person);
    if (!history) {
      history = new LineHistory();
      for (const line of this.shared) history.add(line);
      this.byPerson.set(person, history);
    }
    return history;
  }

  /** A line for every history, those of people who type later too. */
  addShared(line: string): void {
    this.shared.push(line);
    if (this.shared.length > MAX_ENTRIES) this.shared.shift();
    for (const history of this.byPerson.values()) history.add(line);
  }

  /** The line was entered or dropped: every history's Up starts again from its newest. */
  resetAll(): void {
    for (const history of this.byPerson.values()) history.reset();
  }
}
