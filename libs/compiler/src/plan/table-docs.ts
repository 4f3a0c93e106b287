import type { Dialect } from "@sluice/dialects";
import { isCatalogDialect } from "@sluice/dialects";
import { warning } from "@sluice/project/diagnostics";
import type { Diagnostic } from "@sluice/project";
import type { CompiledNode } from "../types.js";

/** Glue's limits: `TableInput.Description` up to 2,048 characters, `Column.Comment` up to 255. */
export const GLUE_DESCRIPTION_MAX = 2048;
export const GLUE_COMMENT_MAX = 255;

/**
 * What dbt's persist_docs writes of a node into a catalog (Athena: Glue), within Glue's limits:
 * the description (`relation: true`) and each described column's comment by lower-case name
 * (`columns: true`). Glue refuses a comment with a line break or over 255 characters (and a
 * description over 2,048): line breaks in a comment become spaces, and a text over its limit
 * ends in "…" at the limit ({@link persistDocsWarnings} says which). Undefined: nothing to write.
 */
export function tableDocs(
  node: CompiledNode,
): { description?: string; columns?: Record<string, string> } | undefined {
  const texts = docTexts(node);
  if (texts === undefined) return undefined;
  const fit = (text: string, max: number) =>
    text.length <= max ? text : `${text.slice(0, max - 1)}…`;
  return {
    ...(texts.description === undefined
      ? {}
      : { description: fit(texts.description, GLUE_DESCRIPTION_MAX) }),
    ...(texts.columns.length === 0
      ? {}
      : {
          columns: Object.fromEntries(
            texts.columns.map(([name, text]) => [name, fit(text, GLUE_COMMENT_MAX)]),
          ),
        }),
  };
}

/** The texts persist_docs writes of `node`, as Glue's patterns take them, before any cut. */
function docTexts(
  node: CompiledNode,
): { description?: string; columns: [string, string][] } | undefined {
  const config = node.config.persist_docs;
  if (config === undefined) return undefined;
  const description =
    config.relation === true && node.description?.trim()
      ? glueText(node.description.trim(), true)
      : undefined;
  const columns: [string, string][] =
    config.columns === true
      ? node.columns
          .filter((c) => c.description?.trim())
          .map((c) => [c.name.toLowerCase(), glueText(c.description!.trim(), false)])
      : [];
  return description === undefined && columns.length === 0 ? undefined : { description, columns };
}

/** Whether Glue's limits cut a text of `node`'s persisted docs. */
function cutByGlue(node: CompiledNode): boolean {
  const texts = docTexts(node);
  return (
    (texts?.description?.length ?? 0) > GLUE_DESCRIPTION_MAX ||
    (texts?.columns ?? []).some(([, text]) => text.length > GLUE_COMMENT_MAX)
  );
}

/**
 * `text` with only the characters Glue's pattern allows: a tab, and line breaks when `lines`
 * (otherwise each run of blanks with a line break becomes one space); other control characters
 * dropped.
 */
function glueText(text: string, lines: boolean): string {
  const flat = lines ? text : text.replace(/[ \t]*[\r\n]+[ \t]*/g, " ");
  return flat.replace(lines ? /[^\t\n\r\P{Cc}]/gu : /[^\t\P{Cc}]/gu, "");
}

/**
 * What persist_docs cannot do on this target, said once per compile: on a lake there is no
 * catalog to write to; on Athena a view's entry is written by CREATE VIEW (not documented, as
 * dbt-athena), and a text over Glue's limits is cut.
 */
export function persistDocsWarnings(
  nodes: readonly CompiledNode[],
  dialect: Dialect,
): Diagnostic[] {
  const asked = nodes.filter(
    (n) =>
      n.kind !== "test" &&
      (n.config.persist_docs?.relation === true || n.config.persist_docs?.columns === true),
  );
  if (asked.length === 0) return [];
  const names = (list: readonly CompiledNode[]) =>
    `${list
      .slice(0, 5)
      .map((n) => n.name)
      .join(", ")}${list.length > 5 ? ` and ${list.length - 5} more` : ""}`;
  if (!isCatalogDialect(dialect))
    return [
      warning(
        "DBT_KEY_IGNORED",
        `persist_docs (${names(asked)}) is applied on Athena targets only: the local lake keeps no table or column comments`,
        undefined,
        "build with an Athena target to write the descriptions to Glue",
      ),
    ];
  const out: Diagnostic[] = [];
  const views = asked.filter((n) => n.materialization === "view");
  if (views.length > 0)
    out.push(
      warning(
        "DBT_KEY_IGNORED",
        `persist_docs is not applied to views on Athena (${names(views)}): their Glue entries are written by CREATE VIEW`,
        undefined,
        "materialize the model as a table to document it in Glue",
      ),
    );
  const cut = asked.filter(cutByGlue);
  if (cut.length > 0)
    out.push(
      warning(
        "DBT_KEY_IGNORED",
        `persist_docs: descriptions of ${names(cut)} are longer than Glue keeps (a column comment 255 characters, a table description 2,048): cut, ending in "…"`,
        undefined,
        "shorten them to keep them whole in Glue",
      ),
    );
  return out;
}
