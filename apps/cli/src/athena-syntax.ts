import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import { HOOK_KEYS, type HookKey } from "@sluice/compiler/run-time";
import {
  athenaStatementGrammar,
  TRINO_FUNCTIONS,
  trinoSpelling,
  type Statement,
} from "@sluice/dialects";
import type { Diagnostic, Project, Severity } from "@sluice/project";
import { closest } from "@sluice/project/suggest";
import type { TrinoSQL } from "dt-sql-parser/dist/parser/trino/index.js";
import { createdColumnsFinding } from "./created-columns-finding.js";

/** One syntax error of a statement under Athena's grammar: 1-based line and column in its SQL. */
export interface GrammarError {
  line: number;
  column: number;
  message: string;
  /** Set when the statement parses but calls a function Athena (Trino) does not have. */
  function?: string;
  /**
   * Set when the statement parses but its query's columns break a rule of Trino's CREATE TABLE
   * AS / CREATE VIEW (see createdColumnsProblem): `ctas` for a CTAS or view statement, `query`
   * for a bare query (what a model's SELECT becomes is the caller's to know).
   */
  columns?: "ctas" | "query";
  /** How to fix it, when the finding says. */
  hint?: string;
}

/** Checks one Athena statement: `trino` statements under TrinoSQL, `hive` (DDL) under HiveSQL. */
export type GrammarCheck = (sql: string, grammar: "trino" | "hive") => GrammarError[];

/** A {@link GrammarCheck} that may answer later (from a cache, loading the parsers on a miss). */
export type AsyncGrammarCheck = (sql: string, grammar: "trino" | "hive") => Promise<GrammarError[]>;

/**
 * dt-sql-parser's TrinoSQL and HiveSQL (the grammars Athena routes statements to), loaded on
 * first use: the parsers are ~10 MB of ANTLR tables, which only compile and build need. A Trino
 * statement that parses is read for its function calls too: a call of an unqualified name
 * Trino does not have (`TRINO_FUNCTIONS`) is a finding with `function` set, as Athena fails it
 * (FUNCTION_NOT_FOUND) where the grammar alone does not.
 */
export async function loadAthenaGrammars(): Promise<GrammarCheck> {
  // The two parsers' own modules, not the package index (all of dt-sql-parser's grammars, which
  // a test run through vite would transform and evaluate whole, ~16 s).
  const [{ HiveSQL }, { TrinoSQL }, { TrinoSqlListener }, trinoTree] = await Promise.all([
    import("dt-sql-parser/dist/parser/hive/index.js"),
    import("dt-sql-parser/dist/parser/trino/index.js"),
    import("dt-sql-parser/dist/lib/trino/TrinoSqlListener.js"),
    import("dt-sql-parser/dist/lib/trino/TrinoSqlParser.js"),
  ]);
  let trino: InstanceType<typeof TrinoSQL> | undefined;
  let hive: InstanceType<typeof HiveSQL> | undefined;
  return (sql, grammar) => {
    const parser = grammar === "trino" ? (trino ??= new TrinoSQL()) : (hive ??= new HiveSQL());
    const errors = parser.validate(sql).map((e) => ({
      line: e.startLine,
      column: e.startColumn,
      message: e.message,
    }));
    if (errors.length > 0 || grammar !== "trino") return errors;
    // Parsed: the calls of functions Trino does not have (the tree is validate's, cached).
    const unknown: GrammarError[] = [];
    const calls = new (class extends TrinoSqlListener {
      override enterFunctionCall = (ctx: FunctionCall) => {
        const name = ctx.functionName().getText().replaceAll('"', "").toLowerCase();
        // sluice_*(): sluice's own calls (sluice_incremental_from(), sluice_listed(...)),
        // replaced by values when the run plans the statement, before Athena sees it.
        if (name.includes(".") || name.startsWith("sluice_") || TRINO_FUNCTIONS.has(name)) return;
        unknown.push({
          line: ctx.start?.line ?? 1,
          column: (ctx.start?.column ?? 0) + 1,
          message: `Function '${name}' not registered (FUNCTION_NOT_FOUND)`,
          function: name,
        });
      };
    })();
    // validate() parsed `sql` through parseWithCache (private in the types): its tree, not a
    // second parse.
    const cached = parser as unknown as { parseWithCache(input: string): ParseTree };
    const tree = cached.parseWithCache(sql);
    parser.listen(calls, tree);
    const columns = createdColumnsFinding(tree, trinoTree);
    return columns ? [...unknown, columns] : unknown;
  };
}

type ParseTree = Parameters<TrinoSQL["listen"]>[1];

/** What a function call of the Trino parse tree gives the check. */
interface FunctionCall {
  functionName(): { getText(): string };
  start: { line: number; column: number } | null;
}

/**
 * Every Athena statement of the chosen nodes, checked against Athena's grammars; one diagnostic
 * per node that would not parse, or one per function Athena lacks that it calls (ATHENA_FUNCTION), at the model's own line when the failing line is found in its
 * source file (else at its first line), naming the line in the compiled file too:
 *
 *     models/marts/funnel.sql:14:17: error ATHENA_SYNTAX: Athena would reject model.funnel: ... (target/compiled/marts/funnel.sql:12:17)
 *
 * `compiled` must be compiled for an Athena target (on a local target, the caller compiles the
 * project for Athena first: DuckDB accepts what Athena rejects, e.g. `group by device,`).
 */
export async function athenaSyntaxDiagnostics(
  project: Project,
  compiled: CompiledProject,
  ids: ReadonlySet<string>,
  check: AsyncGrammarCheck,
  options: {
    severity: Severity;
    /**
     * The compiled file of a node as the user should see it (relative to the current
     * directory); absent when the statements checked are not the ones written to target/.
     */
    compiledFile?: (node: CompiledNode) => string;
    /**
     * Check each node's SELECT (and its incremental SELECT) alone, not the statements around
     * it: what the user wrote, at half the parsing (the CTAS/INSERT wrappers are sluice's own,
     * checked by its tests).
     */
    selectsOnly?: boolean;
  },
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  for (const node of compiled.nodes) {
    if (!ids.has(node.id)) continue;
    const statements: Pick<Statement, "sql" | "grammar">[] = options.selectsOnly
      ? [node.sql, node.incrementalSql ?? ""]
          .filter((sql) => sql.trim() !== "")
          .map((sql) => ({ sql, grammar: "trino" }))
      : [...node.statements, ...(node.incrementalStatements ?? [])];
    let failed = false;
    // Every function Athena lacks, once each (the statements of a node repeat its SELECT).
    const unknown = new Set<string>();
    // Columns Athena would not create: one finding a node (its statements repeat its SELECT).
    let columns = false;
    for (const statement of statements) {
      if (statement.grammar === "duckdb") continue;
      const all = await check(statement.sql, statement.grammar);
      const created = all.find((e) => e.columns !== undefined);
      if (created && !columns && madeByCreate(node, created, options.selectsOnly === true)) {
        columns = true;
        diagnostics.push(diagnosticAt(project, node, statement.sql, created, options));
      }
      const found = all.filter((e) => e.columns === undefined);
      failed ||= found.length > 0;
      if (found[0] && !found[0].function) {
        diagnostics.push(diagnosticAt(project, node, statement.sql, found[0], options));
        break;
      }
      for (const e of found)
        if (!unknown.has(e.function!)) {
          unknown.add(e.function!);
          diagnostics.push(diagnosticAt(project, node, statement.sql, e, options));
        }
    }
    if (!failed) {
      const hook = await firstHookError(node, check);
      if (hook) diagnostics.push(hookDiagnostic(project, node, hook, options.severity));
    }
  }
  return diagnostics;
}

/**
 * Whether a column finding is about a table or view Athena would create: a CTAS or CREATE VIEW
 * statement, or (checking SELECTs alone) a model's SELECT that the run makes one. An ephemeral
 * model's SELECT is inlined into others; a test's is only queried.
 */
function madeByCreate(node: CompiledNode, e: GrammarError, selectsOnly: boolean): boolean {
  if (e.columns === "ctas") return true;
  return (
    selectsOnly &&
    node.kind === "model" &&
    ["table", "view", "incremental"].includes(node.materialization)
  );
}

/** A hook of a node that Athena's grammar rejects: `index` is 0-based among the key's hooks. */
interface HookError {
  key: HookKey;
  index: number;
  sql: string;
  grammar: "trino" | "hive";
  e: GrammarError;
}

/** The first of a node's hooks (rendered, in run order) that Athena's grammar rejects. */
async function firstHookError(
  node: CompiledNode,
  check: AsyncGrammarCheck,
): Promise<HookError | undefined> {
  for (const key of HOOK_KEYS) {
    for (const [index, sql] of (node.config[key] ?? []).entries()) {
      const grammar = athenaStatementGrammar(sql);
      // A hook's query creates nothing: its columns are not checked.
      const e = (await check(sql, grammar)).find((f) => f.columns === undefined);
      if (e) return { key, index, sql, grammar, e };
    }
  }
  return undefined;
}

/**
 * A hook Athena would reject, at the line of the model's file that names the hook's key (its
 * config() call or properties), else its first line; the hook's rendered line quoted.
 */
function hookDiagnostic(
  project: Project,
  node: CompiledNode,
  hook: HookError,
  severity: Severity,
): Diagnostic {
  const text = hook.sql.split("\n")[hook.e.line - 1] ?? "";
  const source = sourceFileOf(project, node);
  const spellings = [hook.key, hook.key.replace("_", "-")];
  const lines = source?.text.split("\n") ?? [];
  const at = lines.findIndex((l) => spellings.some((k) => l.includes(k)));
  const column =
    at < 0 ? 1 : Math.min(...spellings.map((k) => lines[at]!.indexOf(k)).filter((c) => c >= 0)) + 1;
  return {
    code: hook.e.function ? "ATHENA_FUNCTION" : "ATHENA_SYNTAX",
    severity,
    message: `Athena would reject ${hook.key} ${hook.index + 1} of ${node.id}: ${hook.e.message.trim()} in \`${text.trim()}\` (the hook's line ${hook.e.line}, column ${hook.e.column})`,
    at: {
      file: node.path,
      line: at < 0 ? 1 : at + 1,
      column,
    },
    hint: hook.e.function
      ? functionHint(hook.e.function, severity)
      : severity === "warn"
        ? "DuckDB accepts it, Athena does not; --no-athena-check turns this check off"
        : hook.grammar === "hive" && hook.sql.includes('"')
          ? "Athena parses this hook as Hive DDL, where names are bare or in backticks: write {{ this.schema }}.{{ this.identifier }}, not {{ this }} (double quotes)"
          : "fix the hook's SQL: Athena parses it as Trino (DDL such as MSCK or ALTER TABLE as Hive)",
  };
}

function diagnosticAt(
  project: Project,
  node: CompiledNode,
  sql: string,
  e: GrammarError,
  options: { severity: Severity; compiledFile?: (node: CompiledNode) => string },
): Diagnostic {
  const { severity } = options;
  const text = sql.split("\n")[e.line - 1] ?? "";
  // target/compiled holds the SELECT trimmed (runner/artifacts.ts); statements embed it whole.
  const select = node.sql.trim();
  const at = sql.indexOf(select);
  const inSelect = at < 0 ? -1 : e.line - sql.slice(0, at).split("\n").length + 1;
  const compiledLine =
    inSelect >= 1 && inSelect <= select.split("\n").length ? inSelect : lineOf(select, text);
  const source = sourceFileOf(project, node);
  // The same line in the model's file: the occurrence nearest to where the compiled line falls
  // (the file has the config block and template lines the compiled SELECT lacks).
  const shift = source ? source.text.split("\n").length - select.split("\n").length : 0;
  const sourceLine = source ? lineOf(source.text, text, (compiledLine ?? 1) + shift) : undefined;
  const column = sourceLine ? e.column + indentShift(source!.text, sourceLine, text) : 1;
  const inCompiled =
    compiledLine === undefined || options.compiledFile === undefined
      ? ""
      : ` (compiled: ${options.compiledFile(node)}:${compiledLine}:${e.column})`;
  return {
    code: e.function ? "ATHENA_FUNCTION" : e.columns ? "ATHENA_COLUMNS" : "ATHENA_SYNTAX",
    severity,
    message: `Athena would reject ${node.id}: ${e.message.trim()} in \`${text.trim()}\`${inCompiled}`,
    at: { file: node.path, line: sourceLine ?? 1, column },
    hint: e.function
      ? functionHint(e.function, severity)
      : e.hint !== undefined
        ? `${e.hint}${severity === "warn" ? "; --no-athena-check turns this check off" : ""}`
        : severity === "warn"
          ? "DuckDB accepts it, Athena's Trino grammar does not; --no-athena-check turns this check off"
          : "fix the model's SQL (compile --target prod checks every statement Athena would run)",
  };
}

/** What to call instead of a function Trino lacks, and (on a non-Athena target) why it ran here. */
function functionHint(name: string, severity: Severity): string {
  const instead = trinoSpelling(name);
  const near = instead ? undefined : closest(name, [...TRINO_FUNCTIONS]);
  const fix = instead
    ? `Trino writes it ${instead}`
    : near
      ? `did you mean ${near}()?`
      : "see Trino's functions: https://trino.io/docs/current/functions/list.html";
  return severity === "warn"
    ? `${fix}; the lake's DuckDB has it, Athena does not (--no-athena-check turns this check off)`
    : fix;
}

/** The model's (or singular test's) file a node was compiled from. */
const sourceFileOf = (project: Project, node: CompiledNode) =>
  [...project.models, ...project.singularTests].find((f) => f.path === node.path);

/** 1-based line of `text` as a whole line (ignoring indentation) in `body`, nearest to `near`. */
function lineOf(body: string, text: string, near = 1): number | undefined {
  const wanted = text.trim();
  if (wanted === "") return undefined;
  let best: number | undefined;
  body.split("\n").forEach((l, i) => {
    if (
      l.trim() === wanted &&
      (best === undefined || Math.abs(i + 1 - near) < Math.abs(best - near))
    )
      best = i + 1;
  });
  return best;
}

/** How much more (or less) the line is indented in the source than in the statement. */
function indentShift(body: string, line: number, text: string): number {
  const indent = (l: string): number => l.length - l.trimStart().length;
  return indent(body.split("\n")[line - 1] ?? "") - indent(text);
}
