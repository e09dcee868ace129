import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/**
 * The import graph of the services' and packages' sources, for the structure test: which file
 * imports which (type-only imports included: a type import is still a dependency a reader follows),
 * the circles in it, and the folders that import each other.
 */

/** Repo-relative file → the repo-relative files it imports (sorted, without duplicates). */
export type ImportGraph = Map<string, string[]>;

export interface UnresolvedImport {
  file: string;
  specifier: string;
}

/** Every module specifier a source names: import/export … from, side-effect imports, import("…"). */
export function importSpecifiers(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The source files the graph covers: services/*\/src and packages/*\/src, tests left out. */
export function sourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) files.push(relative(root, path));
    }
  };
  for (const group of ["services", "packages"]) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const src = join(root, group, name, "src");
      if (existsSync(src)) walk(src);
    }
  }
  return files;
}

/**
 * Workspace import → its file: each package.json's "." export (or "main") under the package's
 * name, and every other export under name/subpath (`@nudge/http/html`).
 */
export function workspaceEntries(root: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const group of ["packages", "services"]) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const manifest = join(root, group, name, "package.json");
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as {
        name?: string;
        main?: string;
        exports?: string | Record<string, string>;
      };
      if (!pkg.name) continue;
      const exported = typeof pkg.exports === "string" ? { ".": pkg.exports } : { ...pkg.exports };
      if (!exported["."] && pkg.main) exported["."] = pkg.main;
      for (const [subpath, entry] of Object.entries(exported)) {
        const specifier = subpath === "." ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, "")}`;
        entries.set(specifier, relative(root, join(root, group, name, entry)));
      }
    }
  }
  return entries;
}

function resolveRelative(root: string, from: string, specifier: string): string | undefined {
  const base = resolve(root, dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (candidate.endsWith(".ts") && existsSync(candidate) && statSync(candidate).isFile())
      return relative(root, candidate);
  }
  return undefined;
}

const isAsset = (path: string) => !path.endsWith(".ts") && existsSync(path) && statSync(path).isFile();

/**
 * Reads and resolves every source file's imports. Relative imports and workspace packages become
 * edges; anything else (node:, bun:, npm packages) is outside the graph. A relative or workspace
 * import that names no file is returned as unresolved, so a typo cannot hide an edge.
 */
export function buildImportGraph(root: string): { graph: ImportGraph; unresolved: UnresolvedImport[] } {
  const entries = workspaceEntries(root);
  const graph: ImportGraph = new Map();
  const unresolved: UnresolvedImport[] = [];
  for (const file of sourceFiles(root)) {
    const targets = new Set<string>();
    for (const specifier of importSpecifiers(file, readFileSync(join(root, file), "utf8"))) {
      let target: string | undefined;
      if (specifier.startsWith(".")) {
        target = resolveRelative(root, file, specifier);
        // An asset imported as a file or text (a bundled script, a template) is no source file.
        if (!target && isAsset(resolve(root, dirname(file), specifier))) continue;
      } else if (entries.has(specifier)) target = entries.get(specifier);
      else if ([...entries.keys()].some((name) => specifier.startsWith(`${name}/`))) target = undefined;
      else continue;
      if (target) targets.add(target);
      else unresolved.push({ file, specifier });
    }
    graph.set(file, [...targets].sort());
  }
  return { graph, unresolved };
}

/** Strongly connected components (Tarjan), each sorted; only the ones that contain a circle. */
function circularComponents(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = component.length === 1 && (graph.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return components.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

/** The shortest circle from `start` back to it, staying inside `within`: [start, …, start]. */
function shortestCircle(graph: ImportGraph, start: string, within: Set<string>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as string;
    for (const next of graph.get(node) ?? []) {
      if (!within.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0] as string) as string);
        return [...path, start];
      }
      if (!cameFrom.has(next) && next !== start) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return [];
}

/**
 * The import circles, each as [a, b, …, a]: for every tangle of mutually reachable files, the
 * shortest circle through each of its files (duplicates dropped), so every file in a tangle shows
 * up in at least one reported circle without listing every possible path.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  for (const component of circularComponents(graph)) {
    const within = new Set(component);
    for (const start of component) {
      const cycle = shortestCircle(graph, start, within);
      // Found again from another of its files: each circle is told from its first file (sorted).
      const ring = cycle.slice(0, -1);
      const first = ring.indexOf([...ring].sort()[0] as string);
      const told = [...ring.slice(first), ...ring.slice(0, first)];
      const key = told.join(" → ");
      if (seen.has(key)) continue;
      seen.add(key);
      cycles.push([...told, told[0] as string]);
    }
  }
  return cycles;
}

/** services/x/src/a/b.ts → { root: "services/x/src", folder: "a" }; files directly in src/ have none. */
export function folderOf(file: string): { root: string; folder?: string } {
  const parts = file.split("/");
  const root = parts.slice(0, 3).join("/");
  return parts.length > 4 ? { root, folder: parts[3] } : { root };
}

export interface FolderLoop {
  /** The service's or package's src folder. */
  root: string;
  /** The folders, as a circle: [x, y, x]. */
  folders: string[];
  /** For each step of the circle, the file imports that make it. */
  because: string[][];
}

/**
 * Circles between the first-level folders of one service or package (x imports y, y imports x).
 * Files directly in src/ (app.ts, main.ts, …) wire the folders together and are left out.
 */
export function findFolderLoops(graph: ImportGraph): FolderLoop[] {
  const folderGraph: ImportGraph = new Map();
  const edges = new Map<string, string[]>();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    if (!from.folder) continue;
    const source = `${from.root}/${from.folder}`;
    if (!folderGraph.has(source)) folderGraph.set(source, []);
    for (const target of targets) {
      const to = folderOf(target);
      if (!to.folder || to.root !== from.root || to.folder === from.folder) continue;
      const destination = `${to.root}/${to.folder}`;
      const step = `${source} → ${destination}`;
      if (!edges.has(step)) {
        edges.set(step, []);
        (folderGraph.get(source) as string[]).push(destination);
      }
      (edges.get(step) as string[]).push(`${file} → ${target}`);
    }
  }
  return findCycles(folderGraph).map((cycle) => {
    const root = (cycle[0] as string).split("/").slice(0, 3).join("/");
    return {
      root,
      folders: cycle.map((folder) => folder.slice(root.length + 1)),
      because: cycle.slice(1).map((to, i) => edges.get(`${cycle[i]} → ${to}`) as string[]),
    };
  });
}

/** Line count of a file as an editor shows it (a final newline does not start another line). */
export function lineCount(source: string): number {
  if (source === "") return 0;
  return source.split("\n").length - (source.endsWith("\n") ? 1 : 0);
}
