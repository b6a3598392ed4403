// Pure logic of the packing screen (no DOM, no IPC), so it is tested with vitest:
// which sound and message a scan outcome gets, how an accepted scan updates the pick list
// in place, the bench's keys, sorting, and weights in words.
import type { Cue } from "../../lib/sound";
import type { PackCommand, PickLine, PickTotals, ScanOutcome, UndoResult, WeightCheck } from "../../bindings";

/** What the big feedback panel shows after a scan or an action. */
export type Feedback = {
  kind: "accepted" | "complete" | "unexpected" | "error" | "info";
  title: string;
  detail: string;
};

/** The sound for a scan outcome (DOMAIN.md: accepted, line complete, unexpected, error). */
export function cueFor(o: ScanOutcome): Cue | null {
  switch (o.outcome) {
    case "accepted":
      return o.line_complete ? "complete" : "accepted";
    case "unknown":
      return "unknown";
    case "not_on_consignment":
      return "unexpected";
    case "overpack":
      return "overpack";
    case "rejected":
      return "error";
    case "command":
      return null;
  }
}

/** The feedback panel's words for a scan outcome. */
export function feedbackFor(o: ScanOutcome): Feedback | null {
  switch (o.outcome) {
    case "accepted": {
      const l = o.line;
      const title = `+${o.units} ${l.name}`;
      const where = o.box_number > 0 ? ` · box ${o.box_number}` : "";
      if (o.line_complete) {
        return { kind: "complete", title, detail: `Line complete: ${l.packed} of ${l.expected}${where}` };
      }
      if (l.state === "over") {
        return { kind: "accepted", title, detail: `${l.packed} packed, ${l.expected} expected (over, confirmed)${where}` };
      }
      return { kind: "accepted", title, detail: `${l.packed} of ${l.expected} packed${where}` };
    }
    case "unknown":
      return { kind: "unexpected", title: "Unknown barcode", detail: o.message };
    case "not_on_consignment":
      return { kind: "unexpected", title: "Not on this consignment", detail: o.message };
    case "overpack":
      return { kind: "unexpected", title: "More than expected", detail: o.message };
    case "rejected":
      return { kind: "error", title: "Cannot read that code", detail: o.message };
    case "command":
      return null;
  }
}

/** Feedback after an undo. */
export function feedbackForUndo(u: UndoResult): Feedback {
  const left = u.line ? ` (${u.line.packed} of ${u.line.expected} packed)` : "";
  return { kind: "info", title: `Undone: −${u.units} ${u.name}`, detail: `The last scan was taken back${left}.` };
}

/** The pick list after an accepted scan or undo: the line replaced in place (no reload). */
export function replaceLine(lines: PickLine[], line: PickLine): PickLine[] | null {
  const i = lines.findIndex((l) => l.line_id === line.line_id);
  if (i < 0) return null; // a new line: the caller reloads so it sits in picking order
  const out = lines.slice();
  out[i] = line;
  return out;
}

export type SortKey = "pick" | "remaining" | "sku" | "name";

/** The list in the chosen order; "pick" keeps the server's picking order. */
export function sortLines(lines: PickLine[], key: SortKey): PickLine[] {
  if (key === "pick") return lines;
  const out = lines.slice();
  const by: Record<Exclude<SortKey, "pick">, (a: PickLine, b: PickLine) => number> = {
    remaining: (a, b) => b.remaining - a.remaining || a.name.localeCompare(b.name),
    sku: (a, b) => a.sku.localeCompare(b.sku),
    name: (a, b) => a.name.localeCompare(b.name) || a.sku.localeCompare(b.sku),
  };
  return out.sort(by[key]);
}

/** "12 of 41 units · 5 of 20 lines". */
export function progressText(t: PickTotals): string {
  return `${t.packed} of ${t.expected} units · ${t.lines_done} of ${t.lines} lines`;
}

/** A weight for the big digits: kilograms with 3 decimals. */
export function kg(grams: number | null | undefined): string {
  if (grams === null || grams === undefined) return "—.———";
  return (grams / 1000).toFixed(3);
}

/** The feedback for a closed box's weight check. */
export function feedbackForWeight(number: number, check: WeightCheck): Feedback {
  return {
    kind: check.warn ? "unexpected" : "complete",
    title: check.warn ? `Box ${number}: check the weight` : `Box ${number} closed · ${kg(check.measured_g)} kg`,
    detail: check.message,
  };
}

/** Parses a typed weight in kilograms ("2.35", "2,35") to whole grams; null if unusable. */
export function parseKg(text: string): number | null {
  const t = text.trim().replace(",", ".");
  if (!/^\d{1,3}(\.\d{1,3})?$/.test(t)) return null;
  const g = Math.round(Number(t) * 1000);
  return g > 0 ? g : null;
}

/** The bench's keys. Function keys and Ctrl+Z never collide with a scan burst. */
export type BenchAction = "new_box" | "close_box" | "reprint" | "quantity" | "send" | "find" | "freight" | "undo" | "dismiss";

export function actionForKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): BenchAction | null {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "z") return "undo";
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case "F2":
      return "new_box";
    case "F4":
      return "close_box";
    case "F6":
      return "reprint";
    case "F7":
      return "quantity";
    case "F8":
      return "send";
    case "F9":
      return "find";
    case "F10":
      return "freight";
    case "Escape":
      return "dismiss";
    default:
      return null;
  }
}

/** The bench action a command barcode stands for. */
export function actionForCommand(c: PackCommand): BenchAction {
  switch (c) {
    case "new_box":
      return "new_box";
    case "close_box":
      return "close_box";
    case "undo":
      return "undo";
    case "reprint_label":
      return "reprint";
    case "send":
      return "send";
    case "dismiss":
      return "dismiss";
  }
}

/** The keys as the screen shows them. */
export const keyHints: Record<Exclude<BenchAction, "dismiss">, string> = {
  new_box: "F2",
  close_box: "F4",
  reprint: "F6",
  quantity: "F7",
  send: "F8",
  find: "F9",
  freight: "F10",
  undo: "Ctrl+Z",
};

/** Parses the quantity field: a whole number 1..9999, or null (one unit). */
export function parseQuantity(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,4}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 ? n : null;
}

/** "2 × Box M + 1 × Satchel S" for a box suggestion, in suggested order. */
export function suggestedSet(boxes: ReadonlyArray<{ name: string }>): string {
  const counts = new Map<string, number>();
  for (const b of boxes) counts.set(b.name, (counts.get(b.name) ?? 0) + 1);
  return [...counts].map(([name, n]) => `${n} × ${name}`).join(" + ");
}
