import type { Project } from "@sluice/project";
import { model, project, rawEvents } from "./fixture-project.js";

/** The macro file state tests start from: cents(x) multiplies by 100. */
export const CENTS = "{% macro cents(x) %}{{ x }} * 100{% endmacro %}";

/**
 * A project for state tests: raw.events → stg → daily → report, and macros/cents.sql (`macro`,
 * default {@link CENTS}). `daily` and `report` are the two models' templates.
 */
export function stateProject(
  daily: string,
  macro = CENTS,
  report = "select * from {{ ref('daily') }}",
): Project {
  const p = project({
    config: { "model-paths": ["models"], "macro-paths": ["macros"] },
    models: [
      model("models/stg.sql", "select line from {{ source('raw','events') }}"),
      model("models/daily.sql", daily),
      model("models/report.sql", report),
    ],
    sources: [rawEvents()],
  });
  p.macros = [{ path: "macros/cents.sql", absPath: "/p/macros/cents.sql", text: macro }];
  return p;
}
