// Pure logic of the freight panel: keys, price and weight words, and what to do after an error.

import type { FreightQuoteRow } from "../../bindings";

/** The row a number key picks (1-based on screen), or null. */
export function rowForKey(key: string, rows: number): number | null {
  if (!/^[1-9]$/.test(key)) return null;
  const i = Number(key) - 1;
  return i < rows ? i : null;
}

/** "$12.34" from the decimal text the app sends. */
export function dollars(text: string | null | undefined): string {
  if (text === null || text === undefined || text === "") return "—";
  const n = Number(text);
  return Number.isFinite(n) ? `$${n.toFixed(2)}` : text;
}

/** What the chargeable weight is based on, in bench words. */
export function basisText(row: Pick<FreightQuoteRow, "basis" | "chargeable_kg" | "dead_kg">): string {
  const kg = `${Number(row.chargeable_kg).toFixed(2)} kg`;
  switch (row.basis) {
    case "cubic":
      return `${kg} cubic (scale ${Number(row.dead_kg).toFixed(2)} kg)`;
    case "mixed":
      return `${kg} cubic + dead`;
    default:
      return `${kg} dead`;
  }
}

/** A service level as shown. */
export function levelText(level: string): string {
  return level === "overnight" ? "Overnight" : level === "express" ? "Express" : level === "economy" ? "Economy" : level;
}

/** Whether an error means "the hub is out of reach": the panel then offers book-when-online. */
export function isOffline(code: string): boolean {
  return code === "HUB_UNREACHABLE" || code === "FREIGHT_OFFLINE";
}

/** What the packer can do next, for errors that need more than the message. */
export function adviceFor(code: string): string | null {
  switch (code) {
    case "FREIGHT_BOX_OPEN":
    case "FREIGHT_BOX_NOT_WEIGHED":
      return "Close every box on the scale first (F4), then press F10 for prices.";
    case "FREIGHT_QUOTE_STALE":
    case "FREIGHT_QUOTE_MISSING":
    case "FREIGHT_QUOTE_UNKNOWN":
      return "Press F10 to get fresh prices.";
    case "BOX_WEIGHT_NOT_STABLE":
      return "Reweigh that box on the scale until the reading settles.";
    case "CARRIER_REJECTED":
      return "Pick another row, or repack into smaller boxes.";
    default:
      return isOffline(code) ? "Press Enter to book when back online." : null;
  }
}

/** Where the parcels are, in bench words, with a tone for the chip; null when unknown. */
export function trackingWords(state: string | null | undefined): { text: string; tone: "ok" | "wait" | "bad" } | null {
  switch (state) {
    case "booked":
      return { text: "Booked", tone: "wait" };
    case "in_transit":
      return { text: "In transit", tone: "wait" };
    case "delivered":
      return { text: "Delivered", tone: "ok" };
    case "cancelled":
      return { text: "Label cancelled", tone: "bad" };
    default:
      return null;
  }
}

/** The tracking numbers to show as live: none once the label is cancelled. */
export function liveTracking(numbers: readonly string[] | null | undefined, state: string | null | undefined): string[] {
  return state === "cancelled" ? [] : [...(numbers ?? [])];
}

/** Why the confirm button of "Cancel label" is not ready yet, or null when it is. */
export function cancelProblem(reason: string, trackingState: string | null | undefined): string | null {
  if (trackingState === "in_transit" || trackingState === "delivered") {
    return "The carrier has the parcels already: a label on its way cannot be cancelled.";
  }
  if (reason.trim().length < 3) return "Say why the label is cancelled (it is kept with the record).";
  return null;
}

/** What the confirm step of "Cancel label" tells the packer before anything is done. */
export const CANCEL_EXPLAINED =
  "Cancelling costs nothing: the carrier voids the unused label and does not charge for it. Take the old label off the boxes. The boxes stay packed; get prices again (F10) to book new labels.";
