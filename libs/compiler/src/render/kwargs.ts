/** Keyword arguments as nunjucks passes them to a function: a last object marked `__keywords`. */
export type Kwargs = Record<string, unknown> & { __keywords?: true };

/** Whether a call's argument is its keyword arguments (see {@link Kwargs}). */
export function isKwargs(v: unknown): v is Kwargs {
  return typeof v === "object" && v !== null && (v as Kwargs).__keywords === true;
}

/** `v` when it is the keyword arguments, else none (`{}`). */
export const kwargsOf = (v: unknown): Kwargs => (isKwargs(v) ? v : {});

/**
 * A call's arguments split as Python sees them: the positional ones, and the keyword ones without
 * nunjucks' marker.
 *
 * @example splitArgs([2026, { days: 1, __keywords: true }]) // { positional: [2026], kwargs: { days: 1 } }
 */
export function splitArgs(args: readonly unknown[]): {
  positional: unknown[];
  kwargs: Record<string, unknown>;
} {
  const last = args.at(-1);
  if (!isKwargs(last)) return { positional: [...args], kwargs: {} };
  const { __keywords: _, ...kwargs } = last;
  return { positional: args.slice(0, -1), kwargs };
}
