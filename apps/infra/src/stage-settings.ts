/**
 * What differs between deployments of the seed's stack. Every field but `stage` has a default
 * that suits a small shop; the days are how long raw objects stay in each S3 storage class.
 */
export interface StageSettings {
  /** Names every resource (`sluice-<stage>-...`): lower-case letters, digits and '-'. */
  stage: string;
  /** Raw objects move to Infrequent Access after this many days (S3's minimum is 30). */
  rawInfrequentAccessDays: number;
  /** ... then to Glacier Instant Retrieval. */
  rawGlacierDays: number;
  /** ... then to Glacier Deep Archive. */
  rawDeepArchiveDays: number;
  /** ... and are deleted. */
  rawExpirationDays: number;
  /** Athena query results are deleted after this many days. */
  resultsExpirationDays: number;
  /** Per-query bytes-scanned cutoff of the Athena workgroup. */
  bytesScannedCutoffPerQuery: number;
  /** How often the generator Lambda runs (EventBridge rate, hours) and how much event time it sends. */
  generatorEveryHours: number;
  /** Average events per hour the generator sends (see SLUICE_EVENTS). */
  generatorEventsPerHour: number;
  /** Firehose buffering hints. */
  firehoseBufferMiB: number;
  firehoseBufferSeconds: number;
  /**
   * Firehose dynamic partitioning by `event_type` (the seed's "event based partitioning"):
   * `raw/events/event_type=<t>/YYYY/MM/DD/HH/`. Firehose sets it when the delivery stream is
   * created only, so changing it replaces the stream. Off by default: sluice's raw source reads
   * `raw/events/YYYY/MM/DD/HH/` (synth warns when it is on).
   */
  partitionRawByEventType: boolean;
  /** Buckets and their data go with the stack on destroy (dev stages); kept by default. */
  destroyData: boolean;
  /**
   * Who may assume the `sluice build` role besides the account's own IAM principals (e.g. a CI
   * role ARN); empty: the account root, which delegates through IAM policies.
   */
  buildRoleTrustedArns: string[];
}

/** The defaults {@link stageSettings} fills in. */
export const defaultStageSettings: Omit<StageSettings, "stage"> = {
  rawInfrequentAccessDays: 30,
  rawGlacierDays: 90,
  rawDeepArchiveDays: 180,
  rawExpirationDays: 730,
  resultsExpirationDays: 7,
  bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
  generatorEveryHours: 1,
  generatorEventsPerHour: 20_000,
  firehoseBufferMiB: 64,
  firehoseBufferSeconds: 300,
  partitionRawByEventType: false,
  destroyData: false,
  buildRoleTrustedArns: [],
};

/**
 * Checks settings and fills in defaults; every problem is one message naming the setting (the
 * CDK app prints them and exits before synthesizing anything).
 *
 * @example
 * stageSettings({ stage: "prod", rawExpirationDays: 365 }); // { ok: true, settings: {...} }
 */
export function stageSettings(
  input: Partial<StageSettings> & { stage: string },
): { ok: true; settings: StageSettings } | { ok: false; errors: string[] } {
  const s: StageSettings = { ...defaultStageSettings, ...input };
  const errors: string[] = [];
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(s.stage))
    errors.push(`stage "${s.stage}": 1-20 of a-z 0-9 '-', starting with a letter (e.g. prod)`);
  const days: (keyof StageSettings)[] = [
    "rawInfrequentAccessDays",
    "rawGlacierDays",
    "rawDeepArchiveDays",
    "rawExpirationDays",
  ];
  for (const k of [
    ...days,
    "resultsExpirationDays",
    "generatorEveryHours",
    "generatorEventsPerHour",
  ] as const) {
    const v = s[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
      errors.push(`${k}: a whole number ≥ 1, got ${String(v)}`);
  }
  if (s.rawInfrequentAccessDays < 30)
    errors.push(
      `rawInfrequentAccessDays: S3 moves objects to STANDARD_IA after 30 days at the earliest, got ${s.rawInfrequentAccessDays}`,
    );
  for (let i = 1; i < days.length; i++) {
    const [before, after] = [days[i - 1]!, days[i]!];
    // S3 requires 90 days in Glacier tiers before Deep Archive; 30 in IA before the next one.
    const gap = before === "rawGlacierDays" ? 90 : 30;
    if ((s[after] as number) < (s[before] as number) + gap)
      errors.push(
        `${after}: at least ${before} + ${gap} (${(s[before] as number) + gap}), got ${String(s[after])}`,
      );
  }
  if (s.firehoseBufferMiB < 64 || s.firehoseBufferMiB > 128)
    errors.push(
      `firehoseBufferMiB: 64-128 (Firehose's range when converting or partitioning; 64 is its default), got ${s.firehoseBufferMiB}`,
    );
  if (s.firehoseBufferSeconds < 0 || s.firehoseBufferSeconds > 900)
    errors.push(`firehoseBufferSeconds: 0-900, got ${s.firehoseBufferSeconds}`);
  for (const arn of s.buildRoleTrustedArns)
    if (!/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/.test(arn))
      errors.push(`buildRoleTrustedArns: "${arn}" is not an IAM role or user ARN`);
  if (s.bytesScannedCutoffPerQuery < 10_000_000)
    errors.push(
      `bytesScannedCutoffPerQuery: at least 10,000,000 (Athena's minimum), got ${s.bytesScannedCutoffPerQuery}`,
    );
  return errors.length > 0 ? { ok: false, errors } : { ok: true, settings: s };
}
