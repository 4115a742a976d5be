/**
 * Where each key of a TOML file is written, so schema errors point at a line. TOML parsers
 * give positions only for syntax errors; this scans the text line by line for table headers
 * (`[x]`, `[[x]]`, `[x.y]`) and `key =` lines. Best effort: a key inside an inline table or a
 * multi-line value is found at the line of the key that holds it.
 */

export class TomlLines {
  private readonly lines = new Map<string, number>();

  constructor(text: string) {
    const arrays = new Map<string, number>();
    let prefix: string[] = [];
    text.split("\n").forEach((raw, index) => {
      const line = raw.trim();
      const number = index + 1;
      const arrayHeader = /^\[\[\s*([^\]]+?)\s*\]\]/.exec(line);
      const tableHeader = /^\[\s*([^\]]+?)\s*\]/.exec(line);
      if (arrayHeader) {
        const name = arrayHeader[1] as string;
        const count = arrays.get(name) ?? 0;
        arrays.set(name, count + 1);
        prefix = [...splitKey(name), String(count)];
        this.lines.set(prefix.join("."), number);
      } else if (tableHeader) {
        const parts = splitKey(tableHeader[1] as string);
        // `[session.env]` after `[[session]]` belongs to the last session.
        const head = parts[0] as string;
        const count = arrays.get(head);
        prefix = count === undefined ? parts : [head, String(count - 1), ...parts.slice(1)];
        this.lines.set(prefix.join("."), number);
      } else {
        const key = /^("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=/.exec(line);
        if (key) this.lines.set([...prefix, ...splitKey(key[1] as string)].join("."), number);
      }
    });
  }

  /** The line of a key path (`["session", 2, "kind"]`), else of its nearest written parent. */
  lineOf(path: readonly (string | number)[]): number | undefined {
    for (let depth = path.length; depth > 0; depth--) {
      const line = this.lines.get(path.slice(0, depth).map(String).join("."));
      if (line !== undefined) return line;
    }
    return undefined;
  }
}

function splitKey(key: string): string[] {
  return key.split(".").map((part) => part.trim().replace(/^["']|["']$/g, ""));
}
