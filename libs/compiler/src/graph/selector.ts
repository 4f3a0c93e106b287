/** One selector item, e.g. `2+tag:daily+` → parents depth 2, method tag, value daily, children ∞. */
export interface SelectorItem {
  text: string;
  method: "name" | "tag" | "path" | "source";
  value: string;
  /** Undefined: no ancestors; a number: how many levels (Infinity for a bare `+`). */
  parents?: number;
  children?: number;
}

const methods = new Set(["tag", "path", "source"]);

/** Parse one item; a string is the reason it does not parse. */
export function parseSelectorItem(text: string): SelectorItem | string {
  const m = /^(?:(\d*)\+)?([^+]+?)(?:\+(\d*))?$/.exec(text);
  if (!m) return `'${text}' is not a selector (use name, tag:x, path:dir, source:s.t with + on either side)`;
  const [, parents, body, children] = m;
  const colon = body!.indexOf(":");
  let method: SelectorItem["method"] = "name";
  let value = body!;
  if (colon !== -1) {
    const name = body!.slice(0, colon);
    if (!methods.has(name)) return `unknown selector method '${name}:' (known: ${[...methods].join(", ")})`;
    method = name as SelectorItem["method"];
    value = body!.slice(colon + 1);
  }
  if (value === "" || /[@\s]/.test(value)) return `'${text}' is not a selector`;
  const depth = (s: string | undefined) => (s === undefined ? undefined : s === "" ? Infinity : Number(s));
  const item: SelectorItem = { text, method, value };
  const p = depth(parents);
  const c = depth(children);
  if (p !== undefined) item.parents = p;
  if (c !== undefined) item.children = c;
  return item;
}
