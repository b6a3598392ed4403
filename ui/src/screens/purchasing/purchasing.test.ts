import { describe, expect, it } from "vitest";
import type { ReorderSuggestions, StaffCard } from "../../bindings";
import { opensInPurchasing } from "./dispatch";
import {
  approverCandidates,
  emailOutcomeText,
  filterSuppliers,
  isDecimal,
  keepTyped,
  movePick,
  reorderAsOf,
  reorderHeadline,
  waited,
} from "./purchasing";

const card = (name: string, role: StaffCard["role"]): StaffCard => ({ id: name, name, role, initials: name[0] ?? "" });

describe("approverCandidates", () => {
  it("leaves out staff and admins and puts the highest role first", () => {
    const list = approverCandidates([
      card("Aroha", "staff"),
      card("Sam", "store_manager"),
      card("Mere", "director"),
      card("Ada", "admin"),
      card("Olivia", "ops_manager"),
    ]);
    expect(list.map((s) => s.name)).toEqual(["Mere", "Olivia", "Sam"]);
  });
});

describe("isDecimal", () => {
  it("accepts what a person types for a quantity or cost", () => {
    for (const ok of ["3", "12.50", " 7 ", "0"]) expect(isDecimal(ok)).toBe(true);
    for (const bad of ["", "-1", "1,5", "abc", "1.", ".5"]) expect(isDecimal(bad)).toBe(false);
  });
});

describe("filterSuppliers", () => {
  const list = [
    { id: "1", name: "Cloud Nine Wholesale", code: "CN" },
    { id: "2", name: "Kiwi Vapour", code: null },
  ];
  it("matches name or code, any case", () => {
    expect(filterSuppliers(list, "cn").map((s) => s.id)).toEqual(["1"]);
    expect(filterSuppliers(list, "VAPOUR").map((s) => s.id)).toEqual(["2"]);
    expect(filterSuppliers(list, " ")).toHaveLength(2);
  });
});

describe("emailOutcomeText", () => {
  it("says what happened to the e-mail", () => {
    expect(emailOutcomeText({ outcome: "sent", to: "a@b.nz" })).toBe("E-mailed to a@b.nz.");
    expect(emailOutcomeText({ outcome: "failed", code: "EMAIL_FAILED", message: "refused" })).toContain("refused");
  });
});

describe("waited", () => {
  const now = Date.parse("2026-11-25T10:00:00Z");
  it("rounds to minutes, hours and days", () => {
    expect(waited("2026-11-25T09:55:00Z", now)).toBe("5 min");
    expect(waited("2026-11-25T06:50:00Z", now)).toBe("3 h 10 min");
    expect(waited("2026-11-22T08:00:00Z", now)).toBe("3 d 2 h");
    expect(waited(null, now)).toBe("");
  });
});

describe("opensInPurchasing", () => {
  it("opens every purchase order and returns only while drafted", () => {
    expect(opensInPurchasing("purchase_order", "receiving")).toBe(true);
    expect(opensInPurchasing("supplier_return", "draft")).toBe(true);
    expect(opensInPurchasing("supplier_return", "packing")).toBe(false);
    expect(opensInPurchasing("outlet_transfer", "draft")).toBe(false);
  });
});

describe("keepTyped", () => {
  const saved = { quantity: "1", unit_cost: "39.41" };
  it("keeps a cost being typed when the answer to a quantity change arrives", () => {
    const typed = { quantity: "40", unit_cost: "150" };
    const now = { quantity: "40", unit_cost: "39.41" };
    expect(keepTyped(typed, saved, now)).toEqual({ quantity: "40", unit_cost: "150" });
  });
  it("takes the saved values where nothing was typed", () => {
    const now = { quantity: "12", unit_cost: "38.00" };
    expect(keepTyped(saved, saved, now)).toEqual(now);
  });
});

describe("reorder panel", () => {
  const suggestions = (n: number, extra: Partial<ReorderSuggestions> = {}): ReorderSuggestions => ({
    available: true,
    missing: null,
    as_of: "2026-11-26T10:00:00Z",
    basis: null,
    items: Array.from({ length: n }, (_, i) => ({
      product_id: `p${i}`,
      sku: `SKU${i}`,
      name: `Product ${i}`,
      quantity: "6",
      daily_velocity: "1",
      reorder_point: "4",
      explanation: "…",
    })),
    ...extra,
  });

  it("says how many products need ordering, or what data is missing", () => {
    expect(reorderHeadline(suggestions(1))).toBe("1 product is at or below the reorder point here.");
    expect(reorderHeadline(suggestions(3))).toBe("3 products are at or below the reorder point here.");
    expect(reorderHeadline(suggestions(0))).toMatch(/^Nothing of this supplier/);
    const missing = suggestions(0, { available: false, missing: "Connect to the hub.", as_of: null });
    expect(reorderHeadline(missing)).toBe("Connect to the hub.");
  });

  it("tells how old the stock figures are", () => {
    const now = Date.parse("2026-11-26T10:12:00Z");
    expect(reorderAsOf(suggestions(1), now)).toBe("Stock and sales from Lightspeed, 12 min ago.");
    expect(reorderAsOf(suggestions(1, { as_of: null }), now)).toBe("");
  });

  it("moves the picked row with the arrow keys without leaving the list", () => {
    expect(movePick(0, "ArrowDown", 3)).toBe(1);
    expect(movePick(2, "ArrowDown", 3)).toBe(2);
    expect(movePick(0, "ArrowUp", 3)).toBe(0);
    expect(movePick(1, "End", 3)).toBe(2);
    expect(movePick(2, "Home", 3)).toBe(0);
    expect(movePick(5, "x", 3)).toBe(2); // a list that shrank keeps the pick inside it
    expect(movePick(0, "ArrowDown", 0)).toBe(0);
  });
});
