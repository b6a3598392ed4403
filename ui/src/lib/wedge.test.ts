import { describe, expect, it } from "vitest";
import { WedgeClassifier, defaultWedgeConfig, type WedgeVerdict } from "./wedge";

function feed(c: WedgeClassifier, keys: string[], gapMs: number, start = 1000): WedgeVerdict[] {
  return keys.map((k, i) => c.key(k, start + i * gapMs));
}

describe("keyboard-wedge classifier", () => {
  it("a fast burst ending in Enter is a scan", () => {
    const c = new WedgeClassifier();
    const out = feed(c, [..."9415555000012", "Enter"], 8);
    expect(out.at(-1)).toEqual({ kind: "scan", code: "9415555000012" });
    expect(out.slice(0, -1).every((v) => v.kind === "buffer")).toBe(true);
  });

  it("a Tab terminator also ends a scan", () => {
    const c = new WedgeClassifier();
    expect(feed(c, [..."ABC123", "Tab"], 10).at(-1)).toEqual({ kind: "scan", code: "ABC123" });
  });

  it("slow typing followed by Enter is typing, not a scan", () => {
    const c = new WedgeClassifier();
    const out = feed(c, [..."1234", "Enter"], 120);
    expect(out.some((v) => v.kind === "scan")).toBe(false);
    const typed = out.filter((v) => v.kind === "typed").map((v) => (v.kind === "typed" ? v.text : "")).join("");
    // every character reaches the field, the last one released with the Enter
    expect(typed).toBe("1234");
    expect(out.at(-1)).toEqual({ kind: "typed", text: "4", passKey: true });
  });

  it("a burst shorter than the minimum length is typing", () => {
    const c = new WedgeClassifier();
    expect(feed(c, [..."12", "Enter"], 5).at(-1)).toEqual({ kind: "typed", text: "12", passKey: true });
  });

  it("a slow Enter after a fast burst is not a scan", () => {
    const c = new WedgeClassifier();
    feed(c, [..."12345"], 5);
    expect(c.key("Enter", 1000 + 4 * 5 + 500)).toEqual({ kind: "typed", text: "12345", passKey: true });
  });

  it("a control key releases held characters", () => {
    const c = new WedgeClassifier();
    feed(c, [..."ab"], 5);
    expect(c.key("Backspace", 1012)).toEqual({ kind: "typed", text: "ab", passKey: true });
    expect(c.holding).toBe(false);
  });

  it("a human pause then a scanner burst yields the typing and then the scan", () => {
    const c = new WedgeClassifier();
    expect(c.key("x", 0)).toEqual({ kind: "buffer" });
    const v = c.key("1", 500);
    expect(v).toEqual({ kind: "typed", text: "x", passKey: false });
    const out = feed(c, [..."234567", "Enter"], 6, 506);
    expect(out.at(-1)).toEqual({ kind: "scan", code: "1234567" });
  });

  it("the gap threshold is configurable per station", () => {
    const c = new WedgeClassifier({ ...defaultWedgeConfig, maxGapMs: 60 });
    expect(feed(c, [..."12345", "Enter"], 50).at(-1)).toEqual({ kind: "scan", code: "12345" });
  });
});
