// Variance reasons as staff see them, with the key that picks each one.
import type { ReasonCode, ReceivingLine } from "../../bindings";

export const reasons: ReadonlyArray<{ code: ReasonCode; label: string; key: string }> = [
  { code: "short", label: "Short", key: "1" },
  { code: "over", label: "Over", key: "2" },
  { code: "damaged", label: "Damaged", key: "3" },
  { code: "wrong_item", label: "Wrong item", key: "4" },
  { code: "expired", label: "Expired", key: "5" },
  { code: "other", label: "Other (note)", key: "6" },
];

export const reasonLabel: Record<ReasonCode, string> = Object.fromEntries(reasons.map((r) => [r.code, r.label])) as Record<
  ReasonCode,
  string
>;

/** The reason the counts point to, to suggest first. */
export function suggestedReason(line: Pick<ReceivingLine, "variance" | "damaged" | "on_consignment">): ReasonCode | null {
  if (!line.on_consignment) return "wrong_item";
  if (Number(line.damaged) > 0) return "damaged";
  const v = Number(line.variance);
  if (v < 0) return "short";
  if (v > 0) return "over";
  return null;
}

/** Whether a reason contradicts the counts (the station would refuse it at closing). */
export function contradicts(code: ReasonCode, line: Pick<ReceivingLine, "variance" | "damaged">): boolean {
  const v = Number(line.variance);
  if (code === "short") return !(v < 0);
  if (code === "over") return !(v > 0);
  if (code === "damaged") return !(Number(line.damaged) > 0);
  return false;
}
