/**
 * Strict JSON for request bodies: RFC 8259 exactly, plus the limits a single-threaded service needs
 * before any schema sees the value. Duplicate keys (which JSON.parse silently resolves to the last),
 * nesting deeper than MAX_JSON_DEPTH, and strings PostgreSQL cannot store (U+0000, lone surrogates)
 * are refused with the JSON path of the offending value. Linear in the input, no recursion.
 */

export const MAX_JSON_DEPTH = 32;

export class JsonRejection extends Error {
  constructor(
    /** Dotted path under the body ("body.tags.2"), or "body" for a syntax error. */
    readonly field: string,
    message: string,
    /** Syntax errors are 400 (malformed); well-formed JSON we refuse to accept is 422. */
    readonly malformed: boolean,
  ) {
    super(message);
    this.name = "JsonRejection";
  }
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

interface Frame {
  value: Record<string, unknown> | unknown[];
  /** Keys seen so far (objects only). */
  keys?: Set<string>;
  /** The key whose value is being parsed (objects) or the next index (arrays). */
  key: string | number;
  members: number;
  /** A ',' (or, for the first member, nothing) was read and a member must follow. */
  separated: boolean;
  path: string;
}

/** Parses `text` strictly; throws JsonRejection naming where it went wrong. */
export function parseStrictJson(text: string, root = "body", maxDepth = MAX_JSON_DEPTH): unknown {
  let i = 0;
  const stack: Frame[] = [];
  const fail = (message: string): never => {
    throw new JsonRejection(root, `is not valid JSON: ${message} at offset ${i}`, true);
  };
  const skip = () => {
    while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++;
  };
  const pathHere = () => {
    const top = stack.at(-1);
    return top ? `${top.path}.${top.key}` : root;
  };

  function readString(): string {
    // text[i] is the opening quote.
    i++;
    let out = "";
    let start = i;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail("control character in string");
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 6;
        } else {
          const decoded = e === undefined ? undefined : ESCAPES[e];
          if (decoded === undefined) fail("bad escape");
          out += decoded;
          i += 2;
        }
        start = i;
        continue;
      }
      i++;
    }
    out += text.slice(start, i);
    i++;
    return out;
  }

  function checkText(value: string, field: string): string {
    if (value.includes("\u0000")) throw new JsonRejection(field, "must not contain U+0000", false);
    if (!value.isWellFormed()) {
      throw new JsonRejection(field, "must not contain lone UTF-16 surrogates", false);
    }
    return value;
  }

  /** A scalar, or a new container pushed on the stack (returns the container). */
  function readValue(): unknown {
    skip();
    const c = text[i];
    if (c === "{" || c === "[") {
      if (stack.length >= maxDepth) {
        throw new JsonRejection(pathHere(), `nests deeper than ${maxDepth} levels`, false);
      }
      const path = pathHere();
      i++;
      const frame: Frame =
        c === "{"
          ? { value: {}, keys: new Set(), key: "", path, members: 0, separated: false }
          : { value: [], key: 0, path, members: 0, separated: false };
      stack.push(frame);
      return frame.value;
    }
    if (c === '"') return checkText(readString(), pathHere());
    if (text.startsWith("true", i)) return ((i += 4), true);
    if (text.startsWith("false", i)) return ((i += 5), false);
    if (text.startsWith("null", i)) return ((i += 4), null);
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (!match) return fail("unexpected character");
    i += match[0].length;
    const n = Number(match[0]);
    if (!Number.isFinite(n)) throw new JsonRejection(pathHere(), "is a number out of range", false);
    return n;
  }

  /** After '{' or ',' inside an object: the next key and its colon. */
  function readKey(frame: Frame): void {
    skip();
    if (text[i] !== '"') fail("expected a property name");
    const key = checkText(readString(), `${frame.path}.?`);
    if (key === "__proto__")
      throw new JsonRejection(`${frame.path}.${key}`, "is not an accepted name", false);
    if (frame.keys?.has(key))
      throw new JsonRejection(`${frame.path}.${key}`, "appears more than once", false);
    frame.keys?.add(key);
    frame.key = key;
    skip();
    if (text[i] !== ":") fail("expected ':'");
    i++;
  }

  let result = readValue();
  // Iterative: the innermost open container is on top of the stack and is filled until it closes.
  while (stack.length) {
    const frame = stack.at(-1) as Frame;
    const close = Array.isArray(frame.value) ? "]" : "}";
    skip();
    if (text[i] === close && (frame.members > 0 || !frame.separated)) {
      i++;
      stack.pop();
      const parent = stack.at(-1);
      if (parent) store(parent, frame.value);
      else result = frame.value;
      continue;
    }
    if (frame.members > 0) {
      if (text[i] !== ",") fail(`expected ',' or '${close}'`);
      i++;
    }
    frame.separated = true;
    if (!Array.isArray(frame.value)) readKey(frame);
    const value = readValue();
    if (stack.at(-1) === frame) store(frame, value);
  }

  function store(frame: Frame, value: unknown) {
    frame.members++;
    frame.separated = false;
    if (Array.isArray(frame.value)) {
      frame.value.push(value);
      frame.key = frame.members;
    } else {
      frame.value[frame.key as string] = value;
    }
  }

  skip();
  if (i !== text.length) fail("unexpected text after the value");
  return result;
}
