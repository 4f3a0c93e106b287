// Its own module so that command-options.ts (read by the CLI at start-up) can show the default
// without loading zlib or the simulation.

/** The zlib level objects are gzipped with unless told otherwise (see `BufferSettings.gzipLevel`). */
export const defaultGzipLevel = 1;
