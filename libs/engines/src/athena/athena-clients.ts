import type { TableDocs } from "../engine.js";
import type { AthenaTarget } from "@sluice/project";
import type { AthenaClient } from "@aws-sdk/client-athena";
import type { GlueClient } from "@aws-sdk/client-glue";
import type { S3Client } from "@aws-sdk/client-s3";

/** The slice of each AWS client sluice uses: only `send`, so a test fake is a small function. */
export interface AthenaClients {
  athena: Pick<AthenaClient, "send">;
  glue: Pick<GlueClient, "send">;
  s3: Pick<S3Client, "send">;
}

/** What the Athena engine's pieces share: the clients and an injectable clock. */
export interface AthenaContext {
  clients: AthenaClients;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
  /** Where retries are told (`--debug`); silent without it. */
  log?: (line: string) => void;
  /** Where what the user must know is told (a warning of the run); else `log`. */
  warn?: (message: string) => void;
  /** persist_docs of this run, by `schema.table` in lower case (see `withDocs`). */
  docs?: Map<string, TableDocs>;
}

/** SDK client settings for a target: its region, and its endpoint and profile when set. */
export function awsClientConfig(target: AthenaTarget): {
  region: string;
  endpoint?: string;
  profile?: string;
} {
  return {
    region: target.region,
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
    ...(target.profile === undefined ? {} : { profile: target.profile }),
  };
}
