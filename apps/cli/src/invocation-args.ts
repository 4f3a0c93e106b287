/**
 * The flags of a run as run_results.json's `args` records them (dbt's shape: snake_case keys,
 * `which` added by the writer): what `sluice retry` repeats. yargs' kebab-case aliases, `_`,
 * `$0` and unset flags are left out.
 *
 * @example invocationArgs({ select: ["+funnel"], fullRefresh: false, "full-refresh": false }) // { select: ["+funnel"], full_refresh: false }
 */
export function invocationArgs(args: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args)
      .filter(([k, v]) => !k.includes("-") && k !== "_" && k !== "$0" && v !== undefined)
      .map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
  );
}

/** {@link invocationArgs} undone: `full_refresh` → `fullRefresh`, as the handlers take them. */
export function argsFromInvocation(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([k, v]) => [
      k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
      v,
    ]),
  );
}
