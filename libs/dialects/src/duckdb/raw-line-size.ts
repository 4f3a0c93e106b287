/**
 * The `read_csv` options that let a raw line be up to 64 MiB long (DuckDB's default limit is
 * 2 MB; Hive's LazySimpleSerDe has none that Firehose records reach), for the lake's raw-lines
 * view and athena-local's raw table alike.
 *
 * `buffer_size` is set to the same 64 MiB, the least DuckDB accepts for that line size: left
 * out, it defaults to 16 × max_line_size (1 GiB), and every raw file opened then allocates and
 * clears a buffer that size (measured on 290 gzip files of 36 hours: 5 scans 1.5 CPU-s, against
 * 0.6 CPU-s with this buffer; the same rows, and a 30 MB line still reads).
 */
export const RAW_LINE_SIZE_OPTIONS = "max_line_size = 67108864, buffer_size = 67108864";
