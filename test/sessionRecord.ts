/** A session record for store and hub tests: a running terminal on the local host, as given. */
import type { SessionRecord } from "../src/store/Store.js";

export function sessionRecord(fields: Partial<SessionRecord> & { id: string }): SessionRecord {
  return {
    name: fields.id,
    kind: "terminal",
    host: "local",
    status: "running",
    exitCode: null,
    reason: null,
    command: ["bash"],
    cwd: "/tmp",
    cols: 80,
    rows: 24,
    pid: 1,
    foreground: null,
    createdAt: 1000,
    lastActivityAt: 1000,
    lastSeq: 0,
    bytes: 0,
    preview: "",
    env: {},
    meta: {},
    project: null,
    ...fields,
  };
}
