import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/** The funnel's event types, written out here (not taken from @sluice/events) as the tests' own list. */
export const EVENT_TYPES = ["product_view", "add_to_cart", "checkout_started", "order_paid"];

/**
 * Declare the models project's raw zone (`sources/raw.yml` under `projectDir`) as Firehose's
 * dynamic partitioning by event type writes it: `event_type=<type>/YYYY/MM/DD/HH/`.
 */
export async function declareEventTypeLayout(projectDir: string): Promise<void> {
  const rawYml = path.join(projectDir, "sources/raw.yml");
  const yml = await readFile(rawYml, "utf8");
  if (!yml.includes("partitioning: firehose_hourly"))
    throw new Error(`${rawYml} declares no firehose_hourly partitioning to replace`);
  await writeFile(
    rawYml,
    yml.replace(
      "partitioning: firehose_hourly",
      `partitioning: firehose_event_type_hourly\n          event_types: [${EVENT_TYPES.join(", ")}]`,
    ),
  );
}
