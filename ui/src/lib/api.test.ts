import { describe, expect, it } from "vitest";
import { attempt, UiError } from "./api";

describe("attempt", () => {
  it("clears the message and returns the result when the action works", async () => {
    const busy: boolean[] = [];
    let message = "old problem";
    const r = await attempt(async () => 42, (on) => busy.push(on), (m) => (message = m));
    expect(r).toBe(42);
    expect(message).toBe("");
    expect(busy).toEqual([true, false]);
  });

  it("gives the failure's message and no result, and is not busy after", async () => {
    const busy: boolean[] = [];
    let message = "";
    const r = await attempt(
      async () => {
        throw new UiError("PO_NOT_DRAFT", "This purchase order is sent, not a draft.");
      },
      (on) => busy.push(on),
      (m) => (message = m),
    );
    expect(r).toBeUndefined();
    expect(message).toBe("This purchase order is sent, not a draft.");
    expect(busy).toEqual([true, false]);
  });
});
