// Pure helpers for the purchasing screens (tested with vitest; no DOM, no commands).
import type { EmailOutcome, ReorderSuggestions, ReturnReason, Role, StaffCard, SupplierCard } from "../../bindings";

/** Roles that can fill an approval slot (admin configures; staff order). */
const approverRank: Partial<Record<Role, number>> = {
  store_manager: 1,
  area_manager: 2,
  ops_manager: 3,
  financial_controller: 4,
  director: 5,
};

/** Staff who could approve, highest role first, then by name. */
export function approverCandidates(staff: StaffCard[]): StaffCard[] {
  return staff
    .filter((s) => approverRank[s.role] !== undefined)
    .sort((a, b) => (approverRank[b.role] ?? 0) - (approverRank[a.role] ?? 0) || a.name.localeCompare(b.name));
}

/** True for a non-negative decimal as typed ("3", "12.50"); the server checks again. */
export function isDecimal(s: string): boolean {
  return /^\s*\d+(\.\d+)?\s*$/.test(s);
}

/** Suppliers whose name or code contains the query (case-insensitive). */
export function filterSuppliers(list: SupplierCard[], query: string): SupplierCard[] {
  const q = query.trim().toLowerCase();
  if (!q) return list;
  return list.filter((s) => s.name.toLowerCase().includes(q) || (s.code ?? "").toLowerCase().includes(q));
}

/** What happened to the purchase-order e-mail, in words. */
export function emailOutcomeText(o: EmailOutcome): string {
  switch (o.outcome) {
    case "sent":
      return `E-mailed to ${o.to}.`;
    case "not_requested":
      return "Saved; not e-mailed (no address given).";
    case "not_configured":
      return "Saved; not e-mailed: this station has no mail relay set up.";
    case "failed":
      return `Saved, but the e-mail failed: ${o.message}`;
  }
}

/** Words for a recorded decision code. */
export function decisionLabel(code: string): string {
  return code === "approve" ? "Approved" : code === "request_changes" ? "Asked for changes" : code === "reject" ? "Rejected" : code;
}

export const returnReasonLabel: Record<ReturnReason, string> = {
  damaged: "Damaged",
  wrong_item: "Wrong item",
  expired: "Expired",
  faulty: "Faulty",
  over_supplied: "Over-supplied",
  other: "Other (note)",
};

export const returnReasons = Object.keys(returnReasonLabel) as ReturnReason[];

/** "3 h 5 min" from an RFC 3339 time to `now` (ms). */
export function waited(since: string | null, now: number): string {
  if (!since) return "";
  const t = Date.parse(since);
  if (Number.isNaN(t)) return "";
  const mins = Math.max(0, Math.floor((now - t) / 60000));
  if (mins < 60) return `${mins} min`;
  const h = Math.floor(mins / 60);
  if (h < 48) return `${h} h ${mins % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A line's editable fields as typed. */
export interface LineEdit {
  quantity: string;
  unit_cost: string;
}

/**
 * What a line's fields show after the order is re-read: the saved values, except where
 * the person has typed something not committed yet (their text differs from what was
 * saved before), which is kept.
 */
export function keepTyped(typed: LineEdit, savedBefore: LineEdit, savedNow: LineEdit): LineEdit {
  return {
    quantity: typed.quantity !== savedBefore.quantity ? typed.quantity : savedNow.quantity,
    unit_cost: typed.unit_cost !== savedBefore.unit_cost ? typed.unit_cost : savedNow.unit_cost,
  };
}

/** What the reorder panel says above its list. */
export function reorderHeadline(r: ReorderSuggestions): string {
  if (!r.available) return r.missing ?? "Reorder suggestions are not available.";
  const n = r.items.length;
  if (n === 0) return "Nothing of this supplier is at or below its reorder point here.";
  return `${n} ${n === 1 ? "product is" : "products are"} at or below the reorder point here.`;
}

/** "Stock and sales from Lightspeed, 12 min ago" for the panel's footnote. */
export function reorderAsOf(r: ReorderSuggestions, now: number): string {
  const ago = waited(r.as_of, now);
  return ago ? `Stock and sales from Lightspeed, ${ago} ago.` : "";
}

/** The picked row after an arrow key, kept inside the list (Home/End jump to the ends). */
export function movePick(picked: number, key: string, length: number): number {
  if (length === 0) return 0;
  const next =
    key === "ArrowDown" ? picked + 1 : key === "ArrowUp" ? picked - 1 : key === "Home" ? 0 : key === "End" ? length - 1 : picked;
  return Math.min(Math.max(next, 0), length - 1);
}
