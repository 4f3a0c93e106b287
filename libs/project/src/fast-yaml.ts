import jsYaml from "js-yaml";
import { readCommonYaml } from "./common-yaml.js";
import type { Spot, TrailStep, YamlPath } from "./yaml-source.js";

/**
 * A node's {@link Spot} (its start as the `yaml` library's `range[0]`; no text for an empty
 * value such as `description:`) and what it holds: a mapping's pairs or a sequence's items.
 */
export interface FastNode extends Spot {
  pairs?: Map<string, { key: FastNode; value: FastNode }>;
  items?: FastNode[];
}

/** A document read by {@link parseYamlFast}: its data and where every node starts. */
export interface FastYaml {
  data: Record<string, unknown>;
  /** The trail of `yaml`'s lookup for `path`: key and value spots, deepest last. */
  trail(path: YamlPath): TrailStep[];
}

// What the fast path leaves to `yaml`: anchors, aliases, tags, directives, explicit keys,
// merge keys, `__proto__`, tabs, CR, BOM and a `#` right after text (`yaml` rejects `[a,#`). A false alarm only costs speed.
const UNUSUAL = /\S#|[&*!%?]|^---|^\.\.\.|<<|__proto__|\t|\r|^\uFEFF/m;
// Scalars whose type the two parsers' core schemas could resolve differently: left to `yaml`.
const NUMBER_LIKE = /^[-+]?[.0-9]|^(?:~|null|true|false)$/i;
const PLAIN_INT = /^-?(?:0|[1-9][0-9]{0,14})$/;
const PLAIN_FLOAT = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;
const NULLS = new Set(["null", "Null", "NULL", "~"]);
const BOOLS = new Set(["true", "True", "TRUE", "false", "False", "FALSE"]);

/** js-yaml's separation space: blanks, comments and line breaks. */
function skipSeparation(text: string, at: number): number {
  for (;;) {
    const ch = text.charCodeAt(at);
    if (ch === 0x20) at++;
    else if (ch === 0x0a) at++;
    else if (ch === 0x23) {
      while (at < text.length && text.charCodeAt(at) !== 0x0a) at++;
    } else return at;
  }
}

/** Whether js-yaml's value for a scalar is certainly what `yaml`'s core schema gives. */
function sameScalar(raw: string, value: unknown): boolean {
  const first = raw.charCodeAt(0);
  const quoted = first === 0x22 || first === 0x27;
  if (typeof value === "string")
    return quoted || raw[0] === "|" || raw[0] === ">" ? true : !NUMBER_LIKE.test(raw);
  if (quoted) return false;
  if (value === null) return NULLS.has(raw);
  if (typeof value === "boolean") return BOOLS.has(raw);
  if (typeof value === "number")
    return (PLAIN_INT.test(raw) || PLAIN_FLOAT.test(raw)) && Number(raw) === value;
  return false;
}

class Unsure extends Error {}

interface Frame {
  open: number;
  children: FastNode[];
  results: unknown[];
}

/**
 * Parse YAML text with js-yaml (many times faster than `yaml`'s document API) and record where
 * each node starts, for `YamlSource.locate`. Returns undefined whenever it cannot vouch that the
 * data and every position are what `yaml` would give: a syntax error, a document that is not a
 * mapping, or anything unusual (see UNUSUAL, NUMBER_LIKE); the caller then parses with `yaml`,
 * which also words the errors. tests: fast-yaml.test.ts compares both on every YAML file of the
 * repository and on mutated copies.
 */
export function parseYamlFast(text: string): FastYaml | undefined {
  if (UNUSUAL.test(text)) return undefined;
  // Most properties files have the common shape: read without js-yaml (see common-yaml.ts).
  const common = readCommonYaml(text);
  if (common) return withTrail(common.data, common.root);
  const stack: Frame[] = [{ open: 0, children: [], results: [] }];
  const listener = (event: string, state: jsYaml.State): void => {
    if (event === "open") {
      stack.push({ open: state.position, children: [], results: [] });
      return;
    }
    const frame = stack.pop()!;
    const parent = stack[stack.length - 1]!;
    // A node read by a nested compose that turned out not to be a mapping key (`- [a]`): the
    // same node, seen twice.
    const result: unknown = state.result;
    if (typeof result === "object" && result !== null && frame.results[0] === result) {
      parent.children.push(frame.children[0]!);
      parent.results.push(result);
      return;
    }
    const start = skipSeparation(text, frame.open);
    const end = state.position;
    const spot: FastNode = { start, hasText: end > start };
    const kind = (state as unknown as { kind: string | null }).kind;
    const flow = text.charCodeAt(start) === 0x5b || text.charCodeAt(start) === 0x7b;
    if (!spot.hasText) {
      if (result !== null) throw new Unsure();
    } else if (flow && text.slice(start, end).includes("\n")) {
      // js-yaml takes a flow collection's next lines at any indent; `yaml` does not.
      throw new Unsure();
    } else if (kind === "mapping") {
      const keys = Object.keys(result as object);
      const { children, results } = frame;
      // Pairs, then perhaps a key that did not start one (the mapping's end).
      const pairs = keys.length;
      if (children.length !== 2 * pairs && children.length !== 2 * pairs + 1) throw new Unsure();
      if (children.length > 2 * pairs && children[2 * pairs]!.hasText) throw new Unsure();
      spot.pairs = new Map();
      for (let i = 0; i < pairs; i++) {
        const key = results[2 * i];
        if (typeof key !== "string" || key !== keys[i]) throw new Unsure();
        spot.pairs.set(key, { key: children[2 * i]!, value: children[2 * i + 1]! });
      }
    } else if (kind === "sequence") {
      const items = result as unknown[];
      if (frame.children.length !== items.length) throw new Unsure();
      spot.items = frame.children;
    } else if (kind === "scalar") {
      const raw = text.slice(start, end).trimEnd();
      // js-yaml takes a plain or quoted scalar's next lines at any indent; `yaml` does not.
      if (raw.includes("\n") && raw[0] !== "|" && raw[0] !== ">") throw new Unsure();
      if (!sameScalar(raw, result)) throw new Unsure();
    } else throw new Unsure();
    parent.children.push(spot);
    parent.results.push(result);
  };
  let data: unknown;
  try {
    data = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, listener });
  } catch {
    return undefined;
  }
  const root = stack[0]!.children;
  if (root.length !== 1 || !root[0]!.pairs || stack.length !== 1) return undefined;
  if (!data || typeof data !== "object" || Array.isArray(data)) return undefined;
  return withTrail(data as Record<string, unknown>, root[0]!);
}

/** A document's data, and the trail of any path through its root mapping's spots. */
function withTrail(data: Record<string, unknown>, root: FastNode): FastYaml {
  return {
    data,
    trail(path) {
      const trail: TrailStep[] = [{ value: root }];
      let spot: FastNode | undefined = root;
      for (const seg of path) {
        const next: { key?: FastNode; value?: FastNode } | undefined = spot?.pairs
          ? spot.pairs.get(String(seg))
          : spot?.items && typeof seg === "number"
            ? spot.items[seg] && { value: spot.items[seg] }
            : undefined;
        if (!next) break;
        trail.push(next);
        spot = next.value?.hasText ? next.value : undefined;
      }
      return trail;
    },
  };
}
