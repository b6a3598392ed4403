import { describe, expect, it } from "vitest";
import type { PickLine, ScanOutcome } from "../../bindings";
import {
  actionForCommand,
  actionForKey,
  cueFor,
  feedbackFor,
  feedbackForWeight,
  kg,
  parseKg,
  parseQuantity,
  replaceLine,
  sortLines,
  suggestedSet,
} from "./packing";

function line(id: string, name: string, expected: number, packed: number): PickLine {
  return {
    line_id: id,
    product_id: `p-${id}`,
    sku: `SKU-${id}`,
    name,
    bin: "",
    expected,
    packed,
    remaining: Math.max(0, expected - packed),
    state: packed > expected ? "over" : packed === expected ? "complete" : packed > 0 ? "partial" : "todo",
  };
}

function accepted(l: PickLine, complete: boolean): ScanOutcome {
  return {
    outcome: "accepted",
    line: l,
    units: 1,
    line_complete: complete,
    event_id: "e",
    box_number: 2,
    box_opened: null,
    packing_started: false,
    next_line_id: null,
    totals: { lines: 1, lines_done: 0, expected: 3, packed: 1, remaining: 2 },
  };
}

describe("scan outcomes", () => {
  it("each outcome has its own sound: accepted, complete, unknown, not on it, over-pack, error", () => {
    expect(cueFor(accepted(line("a", "Mango", 3, 1), false))).toBe("accepted");
    expect(cueFor(accepted(line("a", "Mango", 3, 3), true))).toBe("complete");
    expect(cueFor({ outcome: "unknown", code: "SCAN_UNKNOWN", message: "m", raw: "x" })).toBe("unknown");
    expect(
      cueFor({ outcome: "overpack", code: "SCAN_OVERPACK", message: "m", line: line("a", "M", 1, 1), units: 1, would_be: 2, raw: "x" }),
    ).toBe("overpack");
    const card = { product_id: "p", sku: "S", name: "N", active: true };
    expect(cueFor({ outcome: "not_on_consignment", code: "SCAN_NOT_ON_CONSIGNMENT", message: "m", product: card, units: 1, raw: "x" })).toBe(
      "unexpected",
    );
    expect(cueFor({ outcome: "rejected", code: "BAD_CHECK_DIGIT", message: "m" })).toBe("error");
    expect(cueFor({ outcome: "command", command: "close_box" })).toBeNull();
  });

  it("the feedback says what was added, how far the line is and which box", () => {
    const f = feedbackFor(accepted(line("a", "Mango Ice", 3, 1), false))!;
    expect(f).toEqual({ kind: "accepted", title: "+1 Mango Ice", detail: "1 of 3 packed · box 2" });
    expect(feedbackFor(accepted(line("a", "Mango Ice", 3, 3), true))!.kind).toBe("complete");
  });

  it("refusals carry the server's message with the fix", () => {
    const f = feedbackFor({ outcome: "unknown", code: "SCAN_UNKNOWN", message: "Search for the product (F9).", raw: "x" })!;
    expect(f.kind).toBe("unexpected");
    expect(f.detail).toContain("F9");
  });
});

describe("pick list", () => {
  it("an accepted line replaces its row in place; an unknown line asks for a reload", () => {
    const lines = [line("a", "A", 2, 0), line("b", "B", 2, 0)];
    const next = replaceLine(lines, line("b", "B", 2, 1))!;
    expect(next[1]!.packed).toBe(1);
    expect(lines[1]!.packed).toBe(0);
    expect(replaceLine(lines, line("c", "C", 1, 1))).toBeNull();
  });

  it("sorts by remaining, SKU or name, and keeps picking order by default", () => {
    const lines = [line("b", "Banana", 5, 1), line("a", "Apple", 2, 0), line("c", "Cherry", 9, 9)];
    expect(sortLines(lines, "pick")).toBe(lines);
    expect(sortLines(lines, "remaining").map((l) => l.line_id)).toEqual(["b", "a", "c"]);
    expect(sortLines(lines, "name").map((l) => l.line_id)).toEqual(["a", "b", "c"]);
    expect(sortLines(lines, "sku").map((l) => l.line_id)).toEqual(["a", "b", "c"]);
  });
});

describe("keys and command barcodes", () => {
  const k = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
    actionForKey({ key, ctrlKey: false, metaKey: false, altKey: false, ...mods });

  it("function keys and Ctrl+Z drive the bench; letters are left to the scanner", () => {
    expect(k("F2")).toBe("new_box");
    expect(k("F4")).toBe("close_box");
    expect(k("F8")).toBe("send");
    expect(k("z", { ctrlKey: true })).toBe("undo");
    expect(k("Z", { ctrlKey: true })).toBe("undo");
    expect(k("Escape")).toBe("dismiss");
    expect(k("n")).toBeNull();
    expect(k("F2", { altKey: true })).toBeNull();
  });

  it("every command barcode maps to a bench action", () => {
    expect(actionForCommand("close_box")).toBe("close_box");
    expect(actionForCommand("reprint_label")).toBe("reprint");
    expect(actionForCommand("dismiss")).toBe("dismiss");
  });
});

describe("numbers typed at the bench", () => {
  it("weights typed in kilograms become grams", () => {
    expect(parseKg("2.35")).toBe(2350);
    expect(parseKg("2,5")).toBe(2500);
    expect(parseKg("0")).toBeNull();
    expect(parseKg("abc")).toBeNull();
    expect(parseKg("1.2345")).toBeNull();
  });

  it("quantities are whole numbers from 1", () => {
    expect(parseQuantity("12")).toBe(12);
    expect(parseQuantity("0")).toBeNull();
    expect(parseQuantity("1.5")).toBeNull();
    expect(parseQuantity("")).toBeNull();
  });

  it("the big digits show kilograms with three decimals", () => {
    expect(kg(2350)).toBe("2.350");
    expect(kg(null)).toBe("—.———");
  });

  it("a weight warning is unexpected, a match is complete", () => {
    const base = { expected_g: 1000, measured_g: 1500, difference_g: 500, tolerance_g: 200, guessed_units: 0, message: "m" };
    expect(feedbackForWeight(1, { ...base, warn: true }).kind).toBe("unexpected");
    expect(feedbackForWeight(1, { ...base, warn: false }).kind).toBe("complete");
  });

  it("a box suggestion reads as a set, in suggested order", () => {
    expect(suggestedSet([{ name: "Box M" }, { name: "Satchel S" }, { name: "Box M" }])).toBe("2 × Box M + 1 × Satchel S");
    expect(suggestedSet([])).toBe("");
  });
});
