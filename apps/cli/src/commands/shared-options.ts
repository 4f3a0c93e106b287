import type { Options } from "yargs";

/** --select/--exclude, as in dbt: space- or flag-separated selectors. */
export const selectionOptions: Record<string, Options> = {
  select: { alias: "s", type: "string", array: true, describe: "Nodes to include: name, tag:x, path:dir, +name, name+ (ancestors/descendants)" },
  exclude: { type: "string", array: true, describe: "Nodes to leave out (same syntax as --select)" },
};

export const formatOption = (choices: string[], dflt = "table"): Options => ({
  type: "string",
  choices,
  default: dflt,
  describe: "Output format",
});

export interface SelectionArgs {
  select?: string[];
  exclude?: string[];
}
