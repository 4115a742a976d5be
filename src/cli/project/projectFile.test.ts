import { describe, expect, it } from "vitest";
import { parseProjectFile } from "./projectFile.js";

const FILE = "/repo/dispatch.toml";
const errorOf = (text: string) => {
  try {
    parseProjectFile(text, FILE);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("no error");
};

describe("parseProjectFile", () => {
  it("resolves commands, cwd, hosts and after, with a digest that follows the declaration", () => {
    const text = `project = "shop"
host = "east"

[[session]]
name = "db"
command = "postgres -D 'my data'"
cwd = "db"
ready = "ready to accept"

[[session]]
name = "api"
command = ["npm", "run", "dev"]
host = "local"
after = "db"
env = { PORT = "3000" }
`;
    const project = parseProjectFile(text, FILE);
    const [db, api] = project.sessions;
    expect(db).toMatchObject({
      command: ["postgres", "-D", "my data"],
      cwd: "/repo/db",
      host: "east",
      line: 4,
    });
    expect(db?.ready?.test("LOG: database system is ready to accept connections")).toBe(true);
    expect(api).toMatchObject({ cwd: "/repo", host: "local", after: ["db"], env: { PORT: "3000" } });
    const edited = parseProjectFile(text.replace('"3000"', '"3001"'), FILE);
    expect(edited.sessions[0]?.declaration).toBe(db?.declaration);
    expect(edited.sessions[1]?.declaration).not.toBe(api?.declaration);
    // `ready` and `after` are about starting, not about what runs: changing them restarts nothing.
    const reordered = parseProjectFile(text.replace('ready = "ready to accept"', ""), FILE);
    expect(reordered.sessions[0]?.declaration).toBe(db?.declaration);
  });

  it("lists problems from the top of the file down", () => {
    expect(errorOf(`project = "p"\nbogus = 1\n[[session]]\nname = "a"\ncomand = "x"\n`)).toBe(
      `${FILE}:2: unknown key 'bogus' at the top (known: project, host, session)\n` +
        `${FILE}:5: unknown key 'comand' in session 'a' — did you mean 'command'?`,
    );
  });

  it("names the line of an unknown key, with a did-you-mean", () => {
    expect(errorOf(`project = "p"\n\n[[session]]\nname = "a"\ncomand = "x"\n`)).toBe(
      `${FILE}:5: unknown key 'comand' in session 'a' — did you mean 'command'?`,
    );
    expect(errorOf(`projekt = "p"\n`)).toContain(
      `${FILE}:1: unknown key 'projekt' at the top — did you mean 'project'?`,
    );
  });

  it("says how to name a project that has no name", () => {
    expect(errorOf(`[[session]]\nname = "web"\n`)).toBe(
      `${FILE}: 'project' is missing: add a line such as \`project = "repo"\` at the top (the name its sessions are grouped under: a-z, 0-9, '-', '_')`,
    );
  });

  it("reports every problem at once: duplicates, bad regex, shell syntax, unknown after, missing name", () => {
    const message = errorOf(`project = "p"
[[session]]
name = "a"
ready = "("
[[session]]
name = "a"
command = "npm run dev && npm test"
after = ["b"]
`);
    expect(message).toContain(`${FILE}:6: a second session named 'a'`);
    expect(message).toContain(`${FILE}:4: not a regular expression`);
    expect(message).toContain(`${FILE}:7: '&' is shell syntax`);
    expect(message).toContain(`${FILE}:8: no session 'b'`);
    expect(errorOf(`project = "p"\n[[session]]\ncommand = "x"\n`)).toBe(
      `${FILE}:2: 'name' is missing in session #1`,
    );
  });

  it("gives a syntax error's line and column", () => {
    expect(errorOf(`project = "p"\n[[session]]\nname = "x\n`)).toBe(
      `${FILE}:3:10: a string is not closed on this line (control characters are not allowed in strings); add its closing quote`,
    );
  });

  it("puts an array left open on the file's last line, not past the end", () => {
    // Six lines: smol-toml notices at line 7, column 1, which is no line of the file.
    const open = `project = "p"\n\n[[session]]\nname = "a"\ncommand = ["sh", "-c",\n  "echo"\n`;
    expect(errorOf(open)).toBe(
      `${FILE}:6:9: the file ends before a value is complete (expected comma or end of structure); ` +
        "close the '[' or '{' left open above, or finish the value",
    );
    expect(errorOf(`project = "p"\nenv = [1,\n\n\n`)).toMatch(/^\/repo\/dispatch\.toml:2:10: the file ends/);
  });

  it("names the session and its key in a schema error", () => {
    const session = (body: string) => errorOf(`project = "p"\n[[session]]\nname = "web"\n${body}\n`);
    expect(session(`ready_timeout = "soon"`)).toBe(
      `${FILE}:4: session 'web': ready_timeout: use a duration such as 30s, 2m`,
    );
    expect(session(`env = { "1X" = "a" }`)).toBe(
      `${FILE}:4: session 'web': env: '1X': use letters, digits and '_'`,
    );
    expect(session(`after = ["x y"]`)).toMatch(
      /^\/repo\/dispatch\.toml:4: session 'web': after\[0\]: use 1-32/,
    );
    expect(errorOf(`project = "p q"\n`)).toMatch(/^\/repo\/dispatch\.toml:1: project: use 1-32/);
  });

  it("says what a key of the wrong type holds, in TOML's words", () => {
    const session = (body: string) => errorOf(`project = "p"\n[[session]]\nname = "web"\n${body}\n`);
    expect(session("ready = { port = 8931 }")).toBe(
      `${FILE}:4: session 'web': ready: a regular expression in quotes, matched against the session's output (ready = "listening on"), not a table`,
    );
    expect(session("env = { PORT = 3000 }")).toBe(
      `${FILE}:4: session 'web': env.PORT: a string in quotes (PORT = "…"), not a number`,
    );
    expect(session(`command = ["npm", 1]`)).toBe(
      `${FILE}:4: session 'web': command: a string split into words, or a list (command = ["sh", "-c", "npm start"]), not a list whose item 2 is a number`,
    );
    expect(session("command = []")).toMatch(/command: .*, not an empty list$/);
    expect(session("after = 3")).toMatch(/after: a session name or a list of them .*, not a number$/);
  });

  it("names what a compose file's key is called here", () => {
    expect(
      errorOf(`project = "p"\n[[session]]\nname = "api"\ndepends_on = ["db"]\nworking_dir = "api"\n`),
    ).toBe(
      `${FILE}:4: unknown key 'depends_on' in session 'api' — dispatch.toml calls it 'after' (a session name or a list; it starts once those are ready)\n` +
        `${FILE}:5: unknown key 'working_dir' in session 'api' — dispatch.toml calls it 'cwd' (relative to this file)`,
    );
  });

  it("says an unknown 'after' is not in this project before guessing", () => {
    expect(errorOf(`project = "p"\n[[session]]\nname = "x1"\n[[session]]\nname = "x3"\nafter = "x2"\n`)).toBe(
      `${FILE}:6: no session 'x2' in this project — did you mean 'x1'?`,
    );
  });
});
