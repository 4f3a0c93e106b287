const pad2 = (n: number) => (n < 10 ? "0" : "") + n;

/** The UTC date parts Firehose uses in folders and object names. */
function utcParts(ms: number): [string, string, string, string, string, string] {
  const d = new Date(ms);
  return [
    String(d.getUTCFullYear()),
    pad2(d.getUTCMonth() + 1),
    pad2(d.getUTCDate()),
    pad2(d.getUTCHours()),
    pad2(d.getUTCMinutes()),
    pad2(d.getUTCSeconds()),
  ];
}

/**
 * Firehose's default S3 object key: `<prefix>YYYY/MM/DD/HH/<stream>-<version>-YYYY-MM-DD-HH-mm-ss-<uuid><ext>`,
 * timed by the arrival of the oldest record in the object (UTC).
 *
 * @example
 * firehoseObjectKey({ prefix: "raw/events/", stream: "sluice-events", arrivalMs: Date.UTC(2026, 10, 27, 13, 4, 5), uuid, extension: ".gz" });
 * // "raw/events/2026/11/27/13/sluice-events-1-2026-11-27-13-04-05-<uuid>.gz"
 */
export function firehoseObjectKey(o: {
  prefix: string;
  stream: string;
  arrivalMs: number;
  uuid: string;
  extension: string;
  version?: number;
}): string {
  const [y, mo, d, h, mi, s] = utcParts(o.arrivalMs);
  return `${o.prefix}${y}/${mo}/${d}/${h}/${o.stream}-${o.version ?? 1}-${y}-${mo}-${d}-${h}-${mi}-${s}-${o.uuid}${o.extension}`;
}

/** Matches a key made by {@link firehoseObjectKey}; groups: folder y/m/d/h, stream, name y/m/d/h/mi/s, uuid, ext. */
export const firehoseObjectKeyPattern =
  /^(?:.*\/)?(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/(.+)-(\d+)-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\.gz)?$/;
