/**
 * Runs tasks of a DAG with at most `concurrency` in flight, each after all of its dependencies.
 * Of the ready tasks, the one heading the longest chain of dependants goes first (ties: the
 * order they became ready), so the critical path is never kept waiting behind short branches.
 * A task whose dependency did not succeed is not run: `onSkip` reports it with the failed
 * ancestor, and its own dependants are skipped in turn.
 *
 * @example
 * await runDag([{ id: "a", deps: [] }, { id: "b", deps: ["a"] }], 2, async (t) => true, () => {});
 */
export async function runDag<T extends { id: string; deps: readonly string[] }>(
  tasks: readonly T[],
  concurrency: number,
  run: (task: T) => Promise<boolean>,
  onSkip: (task: T, because: string) => void,
): Promise<void> {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const waiting = new Map(tasks.map((t) => [t.id, t.deps.filter((d) => byId.has(d)).length]));
  const dependants = new Map<string, string[]>();
  for (const t of tasks)
    for (const d of t.deps)
      if (byId.has(d)) dependants.set(d, [...(dependants.get(d) ?? []), t.id]);
  const height = chainLengths(
    tasks.map((t) => t.id),
    dependants,
  );
  const failedBecause = new Map<string, string>();
  const ready: T[] = tasks.filter((t) => waiting.get(t.id) === 0);
  let running = 0;

  return new Promise<void>((resolve, reject) => {
    let remaining = tasks.length;
    if (remaining === 0) return resolve();
    const finish = (id: string, ok: boolean, because?: string): void => {
      remaining--;
      for (const child of dependants.get(id) ?? []) {
        if (!ok && !failedBecause.has(child)) failedBecause.set(child, because ?? id);
        const left = (waiting.get(child) ?? 0) - 1;
        waiting.set(child, left);
        if (left === 0) ready.push(byId.get(child)!);
      }
      if (remaining === 0) resolve();
      else {
        pump();
        if (running === 0 && ready.length === 0)
          reject(new Error("runDag: dependency cycle among tasks"));
      }
    };
    const pump = (): void => {
      while (ready.length > 0 && running < concurrency) {
        let pick = 0;
        for (let i = 1; i < ready.length; i++)
          if (height.get(ready[i]!.id)! > height.get(ready[pick]!.id)!) pick = i;
        const task = ready.splice(pick, 1)[0]!;
        const because = failedBecause.get(task.id);
        if (because !== undefined) {
          onSkip(task, because);
          finish(task.id, false, because);
          continue;
        }
        running++;
        run(task).then(
          (ok) => {
            running--;
            finish(task.id, ok);
          },
          (err: unknown) => reject(err),
        );
      }
    };
    pump();
    if (running === 0 && remaining > 0) reject(new Error("runDag: dependency cycle among tasks"));
  });
}

/** Length of the longest chain of dependants from each task (itself included); cycles count once. */
function chainLengths(
  ids: readonly string[],
  dependants: ReadonlyMap<string, readonly string[]>,
): Map<string, number> {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const length = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const value = 1 + Math.max(0, ...(dependants.get(id) ?? []).map(length));
    visiting.delete(id);
    memo.set(id, value);
    return value;
  };
  for (const id of ids) length(id);
  return memo;
}
