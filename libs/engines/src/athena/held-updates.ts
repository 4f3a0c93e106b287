import type { TableInput } from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { KeysToDelete } from "./expiring-files.js";

/** A publish's table update, not made yet; `extra` parameters go with it. */
type Finish = (extra: Readonly<Record<string, string>>) => Promise<TableInput>;

/**
 * The table updates of partition publishes held until the reconciliation records its verdict
 * (see `PublishOptions.holdUntilReconciled`): one UpdateTable per table then carries the
 * watermark, the retired locations and the pending hours together. Each is made once: by
 * {@link complete} with the verdict, else by {@link completeAll} at the end of the run.
 * `done` is told of each update made, with the expired objects the publish names by key (the
 * caller records the entry and queues the deletes, then the staging entry's drop; a failed
 * update leaves the staging entry, for the next sweep to recover).
 */
export function heldUpdates(
  done: (
    relation: Relation,
    staging: Relation,
    entry: TableInput,
    expiring: readonly KeysToDelete[],
  ) => void | Promise<void>,
) {
  const waiting = new Map<
    string,
    { relation: Relation; staging: Relation; finish: Finish; expiring: readonly KeysToDelete[] }
  >();
  const key = (r: Relation) => `${r.schema}.${r.name}`.toLowerCase();
  const run = async (k: string, extra: Readonly<Record<string, string>>) => {
    const held = waiting.get(k)!;
    waiting.delete(k);
    await done(held.relation, held.staging, await held.finish(extra), held.expiring);
  };
  return {
    hold(
      relation: Relation,
      staging: Relation,
      finish: Finish,
      expiring: readonly KeysToDelete[] = [],
    ): void {
      waiting.set(key(relation), { relation, staging, finish, expiring });
    },
    /** Make `relation`'s held update with `extra`; false when none is held. */
    async complete(relation: Relation, extra: Readonly<Record<string, string>>): Promise<boolean> {
      if (!waiting.has(key(relation))) return false;
      await run(key(relation), extra);
      return true;
    },
    /** Make every update still held; the first error, after trying them all. */
    async completeAll(): Promise<Error | undefined> {
      let first: Error | undefined;
      for (const k of [...waiting.keys()])
        await run(k, {}).catch((error: unknown) => {
          first ??= error instanceof Error ? error : new Error(String(error));
        });
      return first;
    },
  };
}
