import {
  CreateDataQualityRulesetCommand,
  GetDataQualityRulesetCommand,
  UpdateDataQualityRulesetCommand,
} from "@aws-sdk/client-glue";
import type { GlueClient } from "@aws-sdk/client-glue";
import { describe, expect, it } from "vitest";
import { publishRulesets } from "./glue-dq-rulesets.js";
import type { RulesetToPublish } from "./glue-dq-rulesets.js";

interface Stored {
  Name: string;
  Ruleset: string;
  Description?: string;
  TargetTable?: { DatabaseName: string; TableName: string };
}

function glueError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** Glue Data Quality's ruleset API, as far as publishing uses it; records every call. */
function fakeGlue(initial: Stored[] = []) {
  const store = new Map(initial.map((r) => [r.Name, { ...r }]));
  const calls: string[] = [];
  const send = async (command: unknown): Promise<unknown> => {
    if (command instanceof GetDataQualityRulesetCommand) {
      calls.push(`get ${command.input.Name}`);
      const r = store.get(command.input.Name!);
      if (!r)
        throw glueError(
          "EntityNotFoundException",
          `Cannot find Data Quality Ruleset in account with name ${command.input.Name}`,
        );
      return { ...r, CreatedOn: new Date(0) };
    }
    if (command instanceof CreateDataQualityRulesetCommand) {
      const i = command.input;
      calls.push(`create ${i.Name}`);
      if (store.has(i.Name!))
        throw glueError("AlreadyExistsException", `Ruleset ${i.Name} already exists`);
      store.set(i.Name!, {
        Name: i.Name!,
        Ruleset: i.Ruleset!,
        Description: i.Description,
        TargetTable: i.TargetTable as Stored["TargetTable"],
      });
      return { Name: i.Name };
    }
    if (command instanceof UpdateDataQualityRulesetCommand) {
      const i = command.input;
      calls.push(`update ${i.Name}`);
      const r = store.get(i.Name!);
      if (!r) throw glueError("EntityNotFoundException", `no ruleset ${i.Name}`);
      Object.assign(r, { Ruleset: i.Ruleset, Description: i.Description });
      return { Name: i.Name, Ruleset: i.Ruleset, Description: i.Description };
    }
    throw new Error(`unexpected command ${String((command as object).constructor.name)}`);
  };
  return { client: { send } as unknown as Pick<GlueClient, "send">, store, calls };
}

const events: RulesetToPublish = {
  name: "ecommerce_ecommerce_silver_events",
  ruleset: 'Rules = [\n    RowCount > 0,\n    IsUnique "event_id"\n]\n',
  description: "Published by sluice from rules/events.dqdl",
  targetTable: { DatabaseName: "ecommerce_silver", TableName: "events" },
};
const items: RulesetToPublish = {
  ...events,
  name: "ecommerce_ecommerce_silver_order_items",
  targetTable: { DatabaseName: "ecommerce_silver", TableName: "order_items" },
};

describe("publishRulesets", () => {
  it("creates missing rulesets with their target table, then is idempotent", async () => {
    const glue = fakeGlue();
    expect(await publishRulesets(glue.client, [events, items])).toEqual([
      { name: events.name, table: "ecommerce_silver.events", action: "created" },
      { name: items.name, table: "ecommerce_silver.order_items", action: "created" },
    ]);
    expect(glue.store.get(events.name)).toEqual({
      Name: events.name,
      Ruleset: events.ruleset,
      Description: events.description,
      TargetTable: events.targetTable,
    });

    glue.calls.length = 0;
    const again = await publishRulesets(glue.client, [events, items]);
    expect(again.map((c) => c.action)).toEqual(["unchanged", "unchanged"]);
    expect(glue.calls).toEqual([`get ${events.name}`, `get ${items.name}`]);
  });

  it("updates only the rulesets whose text or description changed (line endings do not count)", async () => {
    const glue = fakeGlue([
      {
        Name: events.name,
        Ruleset: events.ruleset.replace(/\n/g, "\r\n"),
        Description: events.description,
        TargetTable: events.targetTable,
      },
      {
        Name: items.name,
        Ruleset: "Rules = [ RowCount > 0 ]",
        Description: items.description,
        TargetTable: items.targetTable,
      },
    ]);
    const changes = await publishRulesets(glue.client, [events, items]);
    expect(changes.map((c) => `${c.action} ${c.name}`)).toEqual([
      `unchanged ${events.name}`,
      `updated ${items.name}`,
    ]);
    expect(glue.calls).toEqual([`get ${events.name}`, `get ${items.name}`, `update ${items.name}`]);
    expect(glue.store.get(items.name)?.Ruleset).toBe(items.ruleset);
  });

  it("leaves a ruleset bound to another table alone and reports a conflict", async () => {
    const glue = fakeGlue([
      {
        Name: events.name,
        Ruleset: "Rules = [ RowCount > 0 ]",
        TargetTable: { DatabaseName: "other", TableName: "events" },
      },
    ]);
    const [change] = await publishRulesets(glue.client, [events]);
    expect(change).toMatchObject({
      action: "conflict",
      message: expect.stringContaining("already targets other.events"),
    });
    expect(glue.calls).toEqual([`get ${events.name}`]);
  });

  it("falls back to update when the ruleset appears between Get and Create (AlreadyExistsException)", async () => {
    const glue = fakeGlue();
    const racing = {
      send: async (command: unknown) => {
        if (command instanceof CreateDataQualityRulesetCommand && !glue.store.has(events.name)) {
          glue.store.set(events.name, {
            Name: events.name,
            Ruleset: "Rules = [ RowCount > 1 ]",
            TargetTable: events.targetTable,
          });
        }
        return glue.client.send(command as never);
      },
    } as unknown as Pick<GlueClient, "send">;
    const [change] = await publishRulesets(racing, [events]);
    expect(change?.action).toBe("updated");
    expect(glue.calls).toEqual([
      `get ${events.name}`,
      `create ${events.name}`,
      `get ${events.name}`,
      `update ${events.name}`,
    ]);
    expect(glue.store.get(events.name)?.Ruleset).toBe(events.ruleset);
  });

  it("propagates other Glue errors", async () => {
    const client = {
      send: async () => Promise.reject(glueError("AccessDeniedException", "not allowed")),
    } as unknown as Pick<GlueClient, "send">;
    await expect(publishRulesets(client, [events])).rejects.toThrow("not allowed");
  });
});
