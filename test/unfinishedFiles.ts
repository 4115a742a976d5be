/**
 * A vitest reporter that names the test files which started and never finished. When a worker
 * process dies (a native crash, a signal), vitest says only "Worker exited unexpectedly" and
 * counts one file fewer, without naming it; CI keeps only the end of the log, so the name is
 * printed there, with when the file started.
 */
import type { Reporter, TestModule } from "vitest/node";

export default class UnfinishedFiles implements Reporter {
  private readonly running = new Map<string, number>();
  private readonly started = Date.now();

  onTestModuleStart(module: TestModule): void {
    this.running.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module: TestModule): void {
    this.running.delete(module.moduleId);
  }

  onTestRunEnd(): void {
    if (this.running.size === 0) return;
    const lines = [...this.running].map(
      ([file, at]) =>
        `  ${file} (started ${((at - this.started) / 1000).toFixed(0)} s into the run, ${((Date.now() - at) / 1000).toFixed(0)} s before its end)`,
    );
    process.stderr.write(
      `\nTest files that started and never finished (their worker died?):\n${lines.join("\n")}\n`,
    );
  }
}
