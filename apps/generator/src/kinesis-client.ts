import type { KinesisClient, KinesisClientConfig } from "@aws-sdk/client-kinesis";
import { AwsJson1_1Protocol } from "@aws-sdk/core/protocols";
import type {
  EndpointBearer,
  HandlerExecutionContext,
  HttpRequest,
  HttpResponse,
  MetadataBearer,
  OperationSchema,
  SerdeFunctions,
} from "@smithy/types";

/** A PutRecords entry as the SDK takes it (`Data` a blob: bytes, or a string sent as UTF-8). */
interface PutRecordsEntryInput {
  Data?: Uint8Array | string;
  PartitionKey?: string;
  ExplicitHashKey?: string;
}

/** PutRecords' input members, all of which {@link putRecordsBody} writes. */
interface PutRecordsInput {
  Records: PutRecordsEntryInput[];
  StreamName?: string;
  StreamARN?: string;
}

/** Base64 of a blob member, as the AWS JSON protocols carry it. */
function base64(data: Uint8Array | string | undefined): string {
  if (data === undefined) return "";
  if (typeof data === "string") return Buffer.from(data, "utf8").toString("base64");
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

/** `,"name":<JSON string>` for a member that is set, else nothing. */
const member = (name: string, value: string | undefined) =>
  value === undefined ? "" : `,"${name}":${JSON.stringify(value)}`;

/**
 * PutRecords' JSON body, written piece by piece into one buffer: base64 needs no escaping, so
 * only keys and names go through JSON.stringify. (JSON.stringify of the whole 5 MiB object graph,
 * or one concatenated string turned into bytes, cost 2-3x more: `node --cpu-prof`.)
 *
 * @example
 * putRecordsBody({ StreamName: "s", Records: [{ Data: bytes, PartitionKey: "k" }] }).toString()
 * // '{"Records":[{"Data":"eyJ...","PartitionKey":"k"}],"StreamName":"s"}'
 */
export function putRecordsBody(input: PutRecordsInput): Buffer {
  const pieces: string[] = ['{"Records":['];
  for (let i = 0; i < input.Records.length; i++) {
    const r = input.Records[i]!;
    pieces.push(
      i === 0 ? '{"Data":"' : ',{"Data":"',
      base64(r.Data),
      `"${member("PartitionKey", r.PartitionKey)}${member("ExplicitHashKey", r.ExplicitHashKey)}}`,
    );
  }
  pieces.push(`]${member("StreamName", input.StreamName)}${member("StreamARN", input.StreamARN)}}`);
  let size = 0;
  for (const p of pieces) size += Buffer.byteLength(p, "utf8");
  const body = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of pieces) at += body.write(p, at, "utf8");
  return body;
}

/**
 * The Kinesis client's JSON 1.1 protocol with PutRecords' body written and read by V8's native
 * JSON and Node's native base64. The SDK's schema serializer encodes base64 and walks each member
 * in JavaScript, which cost ~8 µs of the ~19 µs per record the `kinesis` sink spent
 * (`node --cpu-prof`, tests/bench/generator.mjs). Everything else is the SDK's own: endpoint,
 * SigV4 signing, retries, error parsing (a non-2xx answer goes to the SDK's deserializer, so
 * errors are typed as usual), and every other operation. The wire body is the same JSON: the same
 * members, with `Data` base64-encoded.
 *
 * @example
 * const client = new KinesisClient({ region, protocol: PutRecordsProtocol });
 */
export class PutRecordsProtocol extends AwsJson1_1Protocol {
  override async serializeRequest<Input extends object>(
    operationSchema: OperationSchema,
    input: Input,
    context: HandlerExecutionContext & SerdeFunctions & EndpointBearer,
  ): Promise<HttpRequest> {
    const records = (input as Partial<PutRecordsInput>).Records;
    if (operationSchema.name !== "PutRecords" || !Array.isArray(records))
      return super.serializeRequest(operationSchema, input, context);
    // The SDK builds the request (endpoint, path, headers) from the input without its records...
    const request = await super.serializeRequest(
      operationSchema,
      { ...input, Records: [] },
      context,
    );
    // ...and the body is the same JSON, written as text.
    request.body = putRecordsBody(input as PutRecordsInput);
    return request;
  }

  override async deserializeResponse<Output extends MetadataBearer>(
    operationSchema: OperationSchema,
    context: HandlerExecutionContext & SerdeFunctions,
    response: HttpResponse,
  ): Promise<Output> {
    if (operationSchema.name !== "PutRecords" || this.isErrorResponse(response.statusCode))
      return super.deserializeResponse(operationSchema, context, response);
    const bytes = await context.streamCollector(response.body);
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    const output = (text.length > 0 ? JSON.parse(text) : {}) as Output;
    output.$metadata = this.deserializeMetadata(response);
    return output;
  }
}

/**
 * The Kinesis client the `kinesis` sink sends with: {@link PutRecordsProtocol}, and one HTTP/2
 * session shared by the calls in flight. The SDK's Kinesis client otherwise opens a new
 * connection (TCP + HTTP/2 handshake) per call (`disableConcurrentStreams: true`, set for
 * SubscribeToShard's event streams, which the SDK still isolates on their own session).
 *
 * @example
 * const client = await createKinesisClient({ region: "eu-west-1" });
 */
export async function createKinesisClient(config: KinesisClientConfig): Promise<KinesisClient> {
  // Loaded on first use so importing the generator (e.g. for `sluice --help`) stays fast.
  const { KinesisClient } = await import("@aws-sdk/client-kinesis");
  return new KinesisClient({
    ...config,
    protocol: PutRecordsProtocol,
    requestHandler: { disableConcurrentStreams: false, nodeHttp2ConnectOptions: { noDelay: true } },
  });
}
