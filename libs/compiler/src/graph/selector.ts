import { resultValues, stateValues } from "../state/selection-state.js";

/**
 * One selector item, e.g. `2+tag:daily+` → parents depth 2, method tag, value daily, children ∞;
 * `@stg` → childrensParents. `method` is `default` for a bare word (name, then folder, then file,
 * then fqn), and `config` with `configKey` for `config.<key>:<value>`.
 */
export interface SelectorItem {
  text: string;
  method: SelectorMethod;
  /** For `config.materialized:table`: `materialized`. */
  configKey?: string;
  value: string;
  /** Undefined: no ancestors; a number: how many levels (Infinity for a bare `+`). */
  parents?: number;
  children?: number;
  /** `@name`: the node, its descendants and every ancestor of those. */
  childrensParents?: boolean;
}

/** The methods a selector may name (`method:value`); `config` stands for `config.<key>`. */
export const selectorMethods = [
  "tag",
  "path",
  "file",
  "fqn",
  "source",
  "resource_type",
  "test_type",
  "config",
  "exposure",
  "state",
  "result",
  "source_status",
] as const;
export type SelectorMethod = (typeof selectorMethods)[number] | "default";

/**
 * Values `resource_type:` and `test_type:` accept. DQDL rules are tests of their own type, `dq`;
 * unit tests are `resource_type:unit_test` and `test_type:unit` (dbt's names).
 */
export const resourceTypes = ["model", "seed", "source", "test", "unit_test"] as const;
export const testTypes = ["generic", "singular", "dq", "unit", "data"] as const;
/** Values `source_status:` accepts: sources whose newest row is newer than in the state's sources.json. */
export const sourceStatuses = ["fresher"] as const;

/**
 * The values of methods that accept only some: a method added here (e.g. `source_status`) is
 * checked by the parser with a hint listing them.
 */
export const methodValues: Partial<Record<SelectorMethod, readonly string[]>> = {
  resource_type: resourceTypes,
  test_type: testTypes,
  state: stateValues,
  result: resultValues,
  source_status: sourceStatuses,
};

/** Methods that compare with `--state DIR`'s artifacts, and what they need from it. */
export const stateMethods: Partial<Record<SelectorMethod, "manifest" | "run_results">> = {
  state: "manifest",
  result: "run_results",
};

/** What a bad item says: the message and, when there is one, a hint listing what is valid. */
export interface SelectorProblem {
  message: string;
  hint?: string;
}

const methodList = `methods: ${selectorMethods.map((m) => (m === "config" ? "config.<key>" : m)).join(", ")}`;

/**
 * Parse one item (no spaces, no commas); a {@link SelectorProblem} when it does not parse.
 *
 * @example parseSelectorItem("config.materialized:table+") // { method: "config", configKey: "materialized", value: "table", children: Infinity, ... }
 */
export function parseSelectorItem(text: string): SelectorItem | SelectorProblem {
  const m = /^(@)?(?:(\d*)\+)?(?:([A-Za-z_][\w.]*):)?(.*?)(?:\+(\d*))?$/.exec(text);
  const [, at, parents, methodName, value, children] = m ?? [];
  if (!m || value === undefined || value === "" || /[@\s]/.test(value)) {
    return {
      message: `'${text}' is not a selector`,
      hint: `use name, folder, file.sql or method:value with + or @ around it (${methodList})`,
    };
  }
  if (at && parents !== undefined)
    return {
      message: `'${text}': @ and a leading + cannot be combined`,
      hint: "@name already includes the ancestors",
    };
  const item: SelectorItem = { text, method: "default", value };
  if (methodName !== undefined) {
    const [head, ...rest] = methodName.split(".");
    const known =
      (selectorMethods as readonly string[]).includes(head!) &&
      (head === "config" ? rest.length === 1 && rest[0] !== "" : rest.length === 0);
    if (!known)
      return { message: `'${text}': unknown selector method '${methodName}:'`, hint: methodList };
    item.method = head as SelectorMethod;
    if (head === "config") item.configKey = rest[0]!;
    const allowed = methodValues[head as SelectorMethod];
    if (allowed && !(allowed as readonly string[]).includes(value)) {
      return {
        message: `'${text}': ${head} is one of ${allowed.join(", ")}`,
        hint: `e.g. ${head}:${allowed[0]}`,
      };
    }
  }
  const depth = (s: string | undefined) =>
    s === undefined ? undefined : s === "" ? Infinity : Number(s);
  const p = depth(parents);
  const c = depth(children);
  if (p !== undefined) item.parents = p;
  if (c !== undefined) item.children = c;
  if (at) item.childrensParents = true;
  return item;
}
