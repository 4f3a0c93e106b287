/** The config keys of a model's hooks: statements run before and after it builds, in this order. */
export const HOOK_KEYS = ["pre_hook", "post_hook"] as const;

/** One of {@link HOOK_KEYS}. */
export type HookKey = (typeof HOOK_KEYS)[number];
