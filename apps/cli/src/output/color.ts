import { createColors } from "picocolors";

export type Colors = ReturnType<typeof createColors>;

/** picocolors' functions, switched on or off. */
export function colors(enabled: boolean): Colors {
  return createColors(enabled);
}
