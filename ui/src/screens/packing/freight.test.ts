import { describe, expect, it } from "vitest";
import { adviceFor, basisText, CANCEL_EXPLAINED, cancelProblem, dollars, isOffline, levelText, liveTracking, rowForKey, trackingWords } from "./freight";

describe("freight panel logic", () => {
  it("number keys pick rows that exist, nothing else", () => {
    expect(rowForKey("1", 3)).toBe(0);
    expect(rowForKey("3", 3)).toBe(2);
    expect(rowForKey("4", 3)).toBeNull();
    expect(rowForKey("0", 3)).toBeNull();
    expect(rowForKey("a", 3)).toBeNull();
    expect(rowForKey("Enter", 3)).toBeNull();
  });

  it("prices show as dollars and cents", () => {
    expect(dollars("8.9")).toBe("$8.90");
    expect(dollars("12.345")).toBe("$12.35");
    expect(dollars(null)).toBe("—");
  });

  it("chargeable weight says whether cubic or dead weight is charged", () => {
    expect(basisText({ basis: "cubic", chargeable_kg: "7.875", dead_kg: "3" })).toBe("7.88 kg cubic (scale 3.00 kg)");
    expect(basisText({ basis: "dead", chargeable_kg: "14", dead_kg: "14" })).toBe("14.00 kg dead");
    expect(basisText({ basis: "mixed", chargeable_kg: "9.5", dead_kg: "8" })).toBe("9.50 kg cubic + dead");
  });

  it("offline errors offer booking when back online", () => {
    expect(isOffline("HUB_UNREACHABLE")).toBe(true);
    expect(isOffline("CARRIER_REJECTED")).toBe(false);
    expect(adviceFor("HUB_UNREACHABLE")).toContain("back online");
    expect(adviceFor("FREIGHT_BOX_OPEN")).toContain("F4");
    expect(adviceFor("SOMETHING")).toBeNull();
    expect(levelText("overnight")).toBe("Overnight");
  });

  it("a cancelled label's tracking numbers are never shown as live", () => {
    expect(liveTracking(["NZP1", "NZP2"], "booked")).toEqual(["NZP1", "NZP2"]);
    expect(liveTracking(["NZP1"], "in_transit")).toEqual(["NZP1"]);
    expect(liveTracking(["NZP1", "NZP2"], "cancelled")).toEqual([]);
    expect(liveTracking(undefined, null)).toEqual([]);
  });

  it("tracking states read as bench words with a tone", () => {
    expect(trackingWords("in_transit")).toEqual({ text: "In transit", tone: "wait" });
    expect(trackingWords("delivered")?.tone).toBe("ok");
    expect(trackingWords("cancelled")?.text).toBe("Label cancelled");
    expect(trackingWords(null)).toBeNull();
    expect(trackingWords("other")).toBeNull();
  });

  it("a cancel needs a reason and is not offered once the parcels are moving", () => {
    expect(cancelProblem("", "booked")).toContain("Say why");
    expect(cancelProblem("  no ", null)).toContain("Say why");
    expect(cancelProblem("wrong service", "booked")).toBeNull();
    expect(cancelProblem("wrong service", null)).toBeNull();
    expect(cancelProblem("wrong service", "in_transit")).toContain("cannot be cancelled");
    expect(CANCEL_EXPLAINED).toContain("costs nothing");
  });
});
