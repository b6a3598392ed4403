// Which consignments the purchasing screens open (ConsignmentScreen asks).
import type { ConsignmentKind, ConsignmentStatus } from "../../bindings";

/** Purchase orders always; supplier returns until they go to the packing bench. */
export function opensInPurchasing(kind: ConsignmentKind, status: ConsignmentStatus): boolean {
  return kind === "purchase_order" || (kind === "supplier_return" && status === "draft");
}
