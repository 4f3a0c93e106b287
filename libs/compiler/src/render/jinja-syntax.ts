/**
 * Jinja2's syntax where nunjucks reads the same text differently, compiled for the templates of
 * environments created with `JINJA_VALUES` (dbt projects; see `installJinjaValues`).
 */

type Emitter = {
  compile(node: unknown, frame: unknown): void;
  _compileExpression(node: unknown, frame: unknown): void;
  _emit(code: string): void;
  _emitLine(code: string): void;
};
type Frame = { parent?: unknown };

/**
 * A dict literal's key is an expression, as in Jinja2: `{relation: []}` keys the dict by the
 * value of `relation` (nunjucks: by the text "relation"), `{col.column: col}` by the column's
 * name (nunjucks: a compile error). The key is Python's str of the value (a relation: its name).
 */
export function compileJinjaDict(
  this: Emitter,
  node: { typename: string; children: { key: unknown; value: unknown }[] },
  frame: unknown,
  original: (node: unknown, frame: unknown) => void,
): void {
  // Keyword arguments (`f(a=1)`) are a dict too, keyed by their names.
  if (node.typename === "KeywordArgs") return original.call(this, node, frame);
  this._emit("{");
  node.children.forEach((pair, i) => {
    if (i > 0) this._emit(",");
    this._emit("[runtime.jinjaKey(");
    this.compile(pair.key, frame);
    this._emit(")]: ");
    this._compileExpression(pair.value, frame);
  });
  this._emit("}");
}

/**
 * A top-level macro whose name starts with `_` is exported too: dbt loads every macro of a file
 * into the project's (or package's) namespace (`dbt_utils._is_relation`), where Jinja2's (and
 * nunjucks') import would hide it.
 */
export function exportPrivateMacro(
  this: Emitter,
  node: { name: { value: string } },
  frame: Frame,
  original: (node: unknown, frame: unknown) => void,
): void {
  original.call(this, node, frame);
  const name = node.name.value;
  if (!frame.parent && name.startsWith("_"))
    this._emitLine(`context.addExport(${JSON.stringify(name)});`);
}
