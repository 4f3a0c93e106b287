import { appendFileSync } from "node:fs";

/** One statement as the engine is asked to run it. */
export interface InjectedStatement {
  /** `ExecuteOptions.label`: the node id for a node's statements. */
  label?: string | undefined;
  sql: string;
}

/**
 * Which statement a kill aims at: the N-th of the process (`"14"`), or, stable however the run's
 * other statements change in number or order (two connections run two nodes at once), the k-th
 * statement of one label whose SQL matches a pattern: `<label>[~<regex>][#<k>]`, e.g.
 * `model.sluice_ecommerce.events~^BEGIN#1` (the node's first publish), `k` 1 when left out.
 */
type Target = number | { label: string; pattern?: RegExp; k: number };

function parseTarget(spec: string | undefined): Target | undefined {
  if (spec === undefined || spec === "" || spec === "0") return undefined;
  if (/^\d+$/.test(spec)) return Number(spec);
  const m = /^([^~#]+)(?:~(.*?))?(?:#(\d+))?$/.exec(spec);
  if (!m) throw new Error(`bad statement target ${JSON.stringify(spec)}: <label>[~<regex>][#<k>]`);
  return {
    label: m[1]!,
    ...(m[2] === undefined ? {} : { pattern: new RegExp(m[2], "i") }),
    k: Number(m[3] ?? 1),
  };
}

/**
 * Crash testing: `SLUICE_TEST_KILL_AFTER_STATEMENT=<target>` SIGKILLs the process right after
 * the statement {@link Target} names finished; `SLUICE_TEST_KILL_DURING_STATEMENT=<target>`
 * (with optional `SLUICE_TEST_KILL_DELAY_MS`, default 5) kills it while that statement runs.
 * `SLUICE_TEST_STATEMENT_LOG=<file>` appends one line per statement when it ends, to find the
 * targets and time them: `<n>\t<label>\t<SQL's first 120 characters>\t<ms>`, `n` its start
 * order, `ms` from the request to the end (a wait for a connection included), then `\tfailed`
 * if it failed. A statement the process was killed during has no line. Unset: no-op.
 *
 * @example
 * // SLUICE_TEST_KILL_AFTER_STATEMENT="model.sluice_ecommerce.events~^COPY#2"
 * const done = faultInjector(process.env).statementStarted({ label, sql });
 */
export function faultInjector(
  env: Record<string, string | undefined>,
  kill: () => void = () => process.kill(process.pid, "SIGKILL"),
): {
  /** Call when the statement starts; call what it returns when it ends (`failed`: with an error). */
  statementStarted(statement: InjectedStatement): (failed?: boolean) => void;
} {
  const after = parseTarget(env.SLUICE_TEST_KILL_AFTER_STATEMENT);
  const during = parseTarget(env.SLUICE_TEST_KILL_DURING_STATEMENT);
  const log = env.SLUICE_TEST_STATEMENT_LOG;
  const delayMs = Number(env.SLUICE_TEST_KILL_DELAY_MS ?? 5);
  let count = 0;
  const matches = new Map<Target, number>();
  const hit = (target: Target | undefined, s: InjectedStatement): boolean => {
    if (target === undefined) return false;
    if (typeof target === "number") return count === target;
    if (s.label !== target.label || (target.pattern && !target.pattern.test(s.sql))) return false;
    const k = (matches.get(target) ?? 0) + 1;
    matches.set(target, k);
    return k === target.k;
  };
  return {
    statementStarted(statement) {
      count += 1;
      const n = count;
      const started = performance.now();
      if (hit(during, statement)) setTimeout(kill, delayMs);
      const killAfter = hit(after, statement);
      return (failed = false) => {
        if (log) {
          const sql = statement.sql.slice(0, 120).replace(/\s+/g, " ");
          const ms = (performance.now() - started).toFixed(1);
          appendFileSync(
            log,
            `${n}\t${statement.label ?? ""}\t${sql}\t${ms}${failed ? "\tfailed" : ""}\n`,
          );
        }
        if (killAfter && !failed) kill();
      };
    },
  };
}
