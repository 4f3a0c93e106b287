import type { Partition, Table } from "@aws-sdk/client-glue";

/** Glue entries of an `events` table partitioned by `event_date`, its versions at `…/events/<run>/`. */
export const eventsKeys = [{ Name: "event_date", Type: "string" }];

/** The entry of `name` (the table or a staging table) written at version folder `run`. */
export const eventsEntry = (
  name: string,
  run: string,
  parameters: Record<string, string> = {},
): Table => ({
  Name: name,
  TableType: "EXTERNAL_TABLE",
  Parameters: parameters,
  PartitionKeys: eventsKeys,
  StorageDescriptor: { Location: `s3://lake/silver/events/${run}/` },
});

/** Partition `date` of version folder `run`. */
export const eventsPartition = (run: string, date: string): Partition => ({
  Values: [date],
  StorageDescriptor: { Location: `s3://lake/silver/events/${run}/event_date=${date}/` },
});
