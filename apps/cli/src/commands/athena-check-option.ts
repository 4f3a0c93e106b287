import type { Options } from "yargs";
/** `--athena-check` (on by default; `--no-athena-check` turns it off). */
export const athenaCheckOption: Record<string, Options> = {
  "athena-check": {
    type: "boolean",
    default: true,
    describe:
      "Check the SQL against Athena's grammars (Trino, Hive DDL): an error on an Athena target, a warning on others (--no-athena-check: skip)",
  },
};
