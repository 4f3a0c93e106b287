import { describe, expect, it } from "vitest";
import { ThreadSetting } from "./thread-setting.js";

describe("ThreadSetting", () => {
  it("sends a setting only when a statement asks for another thread count than the last", async () => {
    const sent: string[] = [];
    const connection = { run: async (sql: string) => void sent.push(sql) };
    const threads = new ThreadSetting();
    for (const newDataOnly of [undefined, false, true, true, undefined, false, false, true])
      await threads.use(connection as never, newDataOnly);
    expect(sent).toEqual(["SET threads = 1", "RESET threads", "SET threads = 1"]);
  });
});
