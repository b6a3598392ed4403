import { describe, expect, it } from "vitest";
import { serial } from "./serial";

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("serial", () => {
  it("applies a slow first write before a fast second one", async () => {
    const applied: string[] = [];
    const queue = serial();
    const first = queue(async () => {
      await later(30);
      applied.push("count 5");
    });
    const second = queue(async () => {
      applied.push("count 6");
    });
    await Promise.all([first, second]);
    expect(applied).toEqual(["count 5", "count 6"]);
  });

  it("goes on after a failed write and hands the failure to its caller", async () => {
    const queue = serial();
    const failed = queue(async () => {
      throw new Error("offline");
    });
    const next = queue(async () => "saved");
    await expect(failed).rejects.toThrow("offline");
    await expect(next).resolves.toBe("saved");
  });
});
