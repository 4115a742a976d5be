/** Whether a file is a dispatch database that can be restored: readable, sound, with sessions. */
import Database from "better-sqlite3";

/** The problem with the file, or undefined when it can be restored. */
export function checkBackup(file: string): string | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma("quick_check(5)") as Record<string, string>[];
    const result = rows.map((row) => String(Object.values(row)[0]));
    if (result.length !== 1 || result[0] !== "ok") return `it is damaged (${result.join("; ")})`;
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((t) => t.name);
    if (!tables.includes("sessions") || !tables.includes("events")) return "it is not a dispatch database";
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    db?.close();
  }
}
