import type { Relation } from "@sluice/dialects";
import { isLakeEngine, QueryError } from "@sluice/engines";
import type { Engine, VersionDamage } from "@sluice/engines";
import type { NodeContext } from "./materializer.js";

/** A table a node reads whose current version was not written in this run. */
export interface UpstreamTable {
  /** The model's name, for `--select`. */
  name: string;
  relation: Relation;
}

/** Table versions checked in this run, by `schema.table`: each is checked once per run. */
export type CheckedVersions = Map<string, Promise<void>>;

const SHOWN = 5;

/** One damaged file in words: `missing file /lake/…/part-1.parquet`, sizes when it changed. */
export function describeDamage(d: VersionDamage): string {
  const sizes =
    d.problem === "size changed"
      ? ` (${d.expectedBytes} bytes recorded, ${d.actualBytes} found)`
      : "";
  return `${d.problem} ${d.path}${sizes}`;
}

/** The command that rebuilds a damaged table and what is built from it. */
export const recoveryCommand = (model: string): string =>
  `sluice build --full-refresh --select ${model}+`;

/**
 * What a damaged version means and how to recover, in words: the message of the error that
 * stops the node.
 *
 * @example damageMessage("stg_events", [{ table: "staging.stg_events", problem: "missing file" }])
 * // "staging.stg_events: its published version …/v_1 is damaged: missing file …; …
 * //  `sluice build --full-refresh --select stg_events+`"
 */
export function damageMessage(model: string, damage: readonly VersionDamage[]): string {
  const first = damage[0]!;
  const listed = damage.slice(0, SHOWN).map(describeDamage);
  const more = damage.length > SHOWN ? `, and ${damage.length - SHOWN} more` : "";
  return (
    `${first.table}: its published version ${first.version} is damaged: ` +
    `${listed.join("; ")}${more}. Its data cannot be trusted, so nothing was read from or ` +
    `carried over from it; rebuild the table ` +
    `and what is built from it with \`${recoveryCommand(model)}\``
  );
}

/**
 * Stop (with a {@link QueryError} naming the damage and the recovery command) when the version at
 * `location` of `relation` lacks a file it was published with, or a file changed size.
 */
export async function assertVersionIntact(
  engine: Engine,
  relation: Relation,
  location: string,
  model: string,
): Promise<void> {
  const damage = isLakeEngine(engine) ? await engine.checkTableVersion(relation, location) : [];
  if (damage.length === 0) return;
  const message = damageMessage(model, damage);
  throw new QueryError(message, { sql: "", label: model, engineMessage: message });
}

/**
 * Before a node reads them: check the current versions of the tables it reads that this run did
 * not write (once per table per run).
 */
export async function assertUpstreamIntact(ctx: NodeContext): Promise<void> {
  if (!isLakeEngine(ctx.engine) || !ctx.upstreamTables || ctx.upstreamTables.length === 0) return;
  const checked = ctx.checkedVersions ?? new Map<string, Promise<void>>();
  await Promise.all(
    ctx.upstreamTables.map(({ name, relation }) => {
      const key = `${relation.schema}.${relation.name}`;
      let done = checked.get(key);
      if (!done) {
        done = (async () => {
          const info = await ctx.engine.describeRelation(relation);
          if (info.kind === "table" && info.location)
            await assertVersionIntact(ctx.engine, relation, info.location, name);
        })();
        checked.set(key, done);
      }
      return done;
    }),
  );
}
