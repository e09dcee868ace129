import { describe, expect, test } from "bun:test";
import { findCycles, findFolderLoops, type ImportGraph, importSpecifiers, lineCount } from "./imports.ts";

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

describe("findCycles", () => {
  test("a graph whose imports all go one way has no circles", () => {
    expect(findCycles(graphOf({ a: ["b", "c"], b: ["c"], c: [] }))).toEqual([]);
  });

  test("two files that import each other are one circle, a → b → a", () => {
    expect(findCycles(graphOf({ a: ["b"], b: ["a"], c: ["a"] }))).toEqual([["a", "b", "a"]]);
  });

  test("a longer circle is reported once, from its first file, whichever file finds it", () => {
    expect(findCycles(graphOf({ a: ["b"], b: ["c"], c: ["a"] }))).toEqual([["a", "b", "c", "a"]]);
  });

  test("a file that imports itself is a circle", () => {
    expect(findCycles(graphOf({ a: ["a"] }))).toEqual([["a", "a"]]);
  });

  test("every file of a tangle shows up in a reported circle", () => {
    const cycles = findCycles(graphOf({ a: ["b"], b: ["a", "c"], c: ["b"], d: [] }));
    expect(cycles).toEqual([
      ["a", "b", "a"],
      ["b", "c", "b"],
    ]);
  });

  test("separate circles are reported separately", () => {
    const cycles = findCycles(graphOf({ a: ["b"], b: ["a"], x: ["y"], y: ["z"], z: ["x"] }));
    expect(cycles).toEqual([
      ["a", "b", "a"],
      ["x", "y", "z", "x"],
    ]);
  });
});

describe("findFolderLoops", () => {
  const src = "services/demo/src";

  test("two folders that import each other are a loop, named with the imports that make it", () => {
    const loops = findFolderLoops(
      graphOf({
        [`${src}/tasks/service.ts`]: [`${src}/reminders/schedule.ts`],
        [`${src}/reminders/schedule.ts`]: [],
        [`${src}/reminders/service.ts`]: [`${src}/tasks/service.ts`],
      }),
    );
    expect(loops).toEqual([
      {
        root: src,
        folders: ["reminders", "tasks", "reminders"],
        because: [
          [`${src}/reminders/service.ts → ${src}/tasks/service.ts`],
          [`${src}/tasks/service.ts → ${src}/reminders/schedule.ts`],
        ],
      },
    ]);
  });

  test("files directly in src/ wire folders together and make no loop", () => {
    const loops = findFolderLoops(
      graphOf({
        [`${src}/app.ts`]: [`${src}/tasks/routes.ts`],
        [`${src}/tasks/routes.ts`]: [`${src}/config.ts`],
        [`${src}/config.ts`]: [],
      }),
    );
    expect(loops).toEqual([]);
  });

  test("folders of different services never make a loop together", () => {
    const loops = findFolderLoops(
      graphOf({
        "services/a/src/x/one.ts": ["packages/p/src/y/two.ts"],
        "packages/p/src/y/two.ts": ["services/a/src/x/one.ts"],
      }),
    );
    expect(loops).toEqual([]);
  });
});

describe("importSpecifiers", () => {
  test("finds value, type-only, re-export, side-effect and dynamic imports, not commented ones", () => {
    const source = `
      import { a } from "./a.ts";
      import type { B } from "./b.ts";
      export { c } from "./c.ts";
      export type * from "./d.ts";
      import "./e.ts";
      const f = await import("./f.ts");
      type G = typeof import("./g.ts");
      // import { h } from "./h.ts";
      const text = 'import { i } from "./i.ts"';
    `;
    expect(importSpecifiers("x.ts", source)).toEqual([
      "./a.ts",
      "./b.ts",
      "./c.ts",
      "./d.ts",
      "./e.ts",
      "./f.ts",
      "./g.ts",
    ]);
  });
});

describe("lineCount", () => {
  test("counts lines as an editor numbers them", () => {
    expect(lineCount("")).toBe(0);
    expect(lineCount("one\ntwo\n")).toBe(2);
    expect(lineCount("one\ntwo")).toBe(2);
  });
});
