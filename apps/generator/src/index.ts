export { generate, type GenerateOptions, type GenerateSummary } from "./generate.js";
export {
  firehoseLocalCommandOptions,
  generateCommandOptions,
  generateOptionsSchema,
  parseGenerateArgs,
  type FirehoseLocalCommandOption,
  type GenerateCommandOption,
  type ParsedGenerateArgs,
  type ResolvedGenerateOptions,
} from "./options.js";
export {
  ChaosInjector,
  noChaos,
  type ChaosCounts,
  type ChaosRates,
  type RawRecord,
} from "./chaos.js";
export {
  FirehoseBuffer,
  deterministicGzip,
  type BufferSettings,
  type DeliveredObject,
} from "./firehose-buffer.js";
export { defaultGzipLevel } from "./gzip-level.js";
export { firehoseObjectKey, firehoseObjectKeyPattern } from "./object-key.js";
export { createLocalSink, lakeWriter, type LakeWriter } from "./local-sink.js";
export type { EventSink, SinkReport } from "./sink.js";
export { createFirehoseSink, firehoseLimits, type FirehoseSinkOptions } from "./firehose-sink.js";
export {
  createKinesisSink,
  kinesisLimits,
  partitionKey,
  type KinesisSinkOptions,
} from "./kinesis-sink.js";
export {
  planBatches,
  type BatchLimits,
  type BatchSinkSettings,
  type DeliveryReport,
} from "./batch-sink.js";
export {
  startFirehoseLocal,
  type FirehoseLocal,
  type FirehoseLocalOptions,
} from "./firehose-local.js";
export { handler, lambdaEnvSchema, type LambdaEnv, type ScheduledEvent } from "./lambda.js";
