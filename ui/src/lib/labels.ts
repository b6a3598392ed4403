// Words staff use for kinds, statuses and roles (DOMAIN.md; the old system's words kept).
import type { ConsignmentKind, ConsignmentStatus, Role } from "../bindings";

export const kindLabel: Record<ConsignmentKind, string> = {
  purchase_order: "Purchase order",
  outlet_transfer: "Transfer",
  supplier_return: "Supplier return",
  stocktake: "Stocktake",
};

export const statusLabel: Record<ConsignmentStatus, string> = {
  draft: "Draft",
  pending_approval: "Waiting for approval",
  approved: "Approved",
  packing: "Packing",
  packed: "Packed",
  sent: "Sent",
  in_transit: "In transit",
  receiving: "Receiving",
  received: "Received",
  cancelled: "Cancelled",
  scheduled: "Scheduled",
  counting: "Counting",
  review: "In review",
  complete: "Complete",
};

export const roleLabel: Record<Role, string> = {
  staff: "Staff",
  store_manager: "Store manager",
  area_manager: "Area manager",
  ops_manager: "Operations manager",
  financial_controller: "Financial controller",
  director: "Director",
  admin: "Admin",
};

/** How far Lightspeed is with a consignment, in words and a tone for the chip. */
export function lightspeedWords(state: string | null): { text: string; tone: "ok" | "wait" | "bad" } | null {
  switch (state) {
    case "done":
      return { text: "At Lightspeed ✓", tone: "ok" };
    case "pending":
      return { text: "Going to Lightspeed…", tone: "wait" };
    case "refused":
      return { text: "Lightspeed refused it: the hub's admin sees why", tone: "bad" };
    case "not_sent":
      return { text: "Not sent to Lightspeed (an admin stopped it)", tone: "bad" };
    default:
      return null;
  }
}
