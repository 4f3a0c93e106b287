import { writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Unpartitioned `table` models over the models project's silver tables, for tests of the
 * `table` materialization (CTAS into a staging table, Glue swap, old data deleted): the project's
 * own marts are all incremental (insert_overwrite by date). Keys are paths under the project dir.
 */
const TABLE_MODELS = {
  "marts/daily_revenue.sql": `{{ config(materialized='table') }}
select
    event_date as order_date,
    count(distinct order_id) as orders,
    cast(sum(order_item_qty * unit_price) as decimal(38, 2)) as revenue
from {{ ref('order_items') }}
group by event_date
`,
  "marts/revenue_by_category.sql": `{{ config(materialized='table') }}
select category, cast(sum(order_item_qty * unit_price) as decimal(38, 2)) as revenue
from {{ ref('order_items') }}
group by category
`,
  "marts/revenue_by_country.sql": `{{ config(materialized='table') }}
select i.country, c.iso2 as country_iso2, cast(sum(i.order_item_qty * i.unit_price) as decimal(38, 2)) as revenue
from {{ ref('order_items') }} as i
left join {{ ref('country_codes') }} as c
    on c.country = i.country
group by i.country, c.iso2
`,
  "marts/daily_customers.sql": `{{ config(materialized='table') }}
select event_date as order_date, count(distinct customer_id) as customers
from {{ ref('order_items') }}
group by event_date
`,
} as const;

/** The name of a model `addTableModels` writes. */
export type TableModel =
  "daily_revenue" | "revenue_by_category" | "revenue_by_country" | "daily_customers";

/**
 * Write table models into the project at `dir` (a temp copy: `copyModelsProject`), all of them
 * unless `only` names some; returns their node ids (`model.daily_revenue`, ...).
 * e.g. `await addTableModels(project.dir, ["daily_revenue"])` → `["model.daily_revenue"]`
 */
export async function addTableModels(dir: string, only?: readonly TableModel[]): Promise<string[]> {
  const files = Object.entries(TABLE_MODELS).filter(
    ([file]) => !only || only.includes(path.basename(file, ".sql") as TableModel),
  );
  await Promise.all(files.map(([file, sql]) => writeFile(path.join(dir, file), sql)));
  return files.map(([file]) => `model.${path.basename(file, ".sql")}`);
}
