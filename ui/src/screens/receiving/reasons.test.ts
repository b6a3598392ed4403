import { describe, expect, it } from "vitest";
import { contradicts, reasons, suggestedReason } from "./reasons";

describe("variance reasons", () => {
  it("has one key per reason, 1 to 6", () => {
    expect(reasons.map((r) => r.key)).toEqual(["1", "2", "3", "4", "5", "6"]);
  });

  it("suggests what the counts say", () => {
    expect(suggestedReason({ variance: "-2", damaged: "0", on_consignment: true })).toBe("short");
    expect(suggestedReason({ variance: "+1", damaged: "0", on_consignment: true })).toBe("over");
    expect(suggestedReason({ variance: "0", damaged: "2", on_consignment: true })).toBe("damaged");
    expect(suggestedReason({ variance: "+3", damaged: "0", on_consignment: false })).toBe("wrong_item");
    expect(suggestedReason({ variance: "0", damaged: "0", on_consignment: true })).toBeNull();
  });

  it("flags a reason the counts contradict", () => {
    expect(contradicts("short", { variance: "+1", damaged: "0" })).toBe(true);
    expect(contradicts("over", { variance: "-1", damaged: "0" })).toBe(true);
    expect(contradicts("damaged", { variance: "0", damaged: "0" })).toBe(true);
    expect(contradicts("other", { variance: "0", damaged: "0" })).toBe(false);
    expect(contradicts("short", { variance: "-1", damaged: "0" })).toBe(false);
  });
});
