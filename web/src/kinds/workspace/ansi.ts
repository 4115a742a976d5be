/** Terminal colour escapes in kernel text (IPython's tracebacks): not text to show. */
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}
