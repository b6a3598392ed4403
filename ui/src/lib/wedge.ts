// Keyboard-wedge scanner detection. A scanner "types" a code in a fast burst (< ~30 ms
// between keys) ending in Enter (or Tab); people type > ~80 ms apart. The classifier is
// pure so it can be tested without a DOM; `attachWedge` wires it to the document.

export interface WedgeConfig {
  /** Longest gap between two scanner keystrokes, in ms. */
  maxGapMs: number;
  /** Shortest code accepted as a scan. */
  minLength: number;
  /** Keys that end a scan. */
  terminators: string[];
}

export const defaultWedgeConfig: WedgeConfig = {
  maxGapMs: 35,
  minLength: 4,
  terminators: ["Enter", "Tab"],
};

/** What the classifier decided about one key. */
export type WedgeVerdict =
  | { kind: "buffer" } // held back: may be part of a scan
  | { kind: "scan"; code: string } // a complete scan; swallow the terminator
  | { kind: "typed"; text: string; passKey: boolean }; // release held keys as typing

/** Classifies a stream of keystrokes into scans and typing. */
export class WedgeClassifier {
  private buf = "";
  private last = -Infinity;
  private fast = true;

  constructor(private readonly cfg: WedgeConfig = defaultWedgeConfig) {}

  /** Feeds one key (`KeyboardEvent.key`) at time `t` (ms). */
  key(key: string, t: number): WedgeVerdict {
    const gap = t - this.last;
    if (this.cfg.terminators.includes(key)) {
      const code = this.buf;
      const isScan = code.length >= this.cfg.minLength && this.fast && gap <= this.cfg.maxGapMs;
      this.reset();
      return isScan ? { kind: "scan", code } : { kind: "typed", text: code, passKey: true };
    }
    if (key.length !== 1) {
      // A control key (arrow, Backspace...) ends any burst: release what was held.
      const text = this.buf;
      this.reset();
      return { kind: "typed", text, passKey: true };
    }
    if (this.buf.length > 0 && gap > this.cfg.maxGapMs) {
      // Too slow to be a scanner: what was held is typing; this key may start a burst.
      const text = this.buf;
      this.buf = key;
      this.fast = true;
      this.last = t;
      return { kind: "typed", text, passKey: false };
    }
    this.buf += key;
    this.last = t;
    return { kind: "buffer" };
  }

  /** Called when no key came for `maxGapMs`: held keys were typing. */
  flush(): string {
    const text = this.buf;
    this.reset();
    return text;
  }

  /** Whether keys are being held back. */
  get holding(): boolean {
    return this.buf.length > 0;
  }

  private reset() {
    this.buf = "";
    this.last = -Infinity;
    this.fast = true;
  }
}

/** Inserts released typing into the focused field, as if typed. */
function insertTyped(text: string) {
  if (!text) return;
  const el = document.activeElement;
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    const start = el.selectionStart ?? el.value.length;
    const end = el.selectionEnd ?? el.value.length;
    el.setRangeText(text, start, end, "end");
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

/**
 * Listens to the whole document. Scans go to `onScan` and never land in a text field;
 * typing reaches fields unchanged (held back by at most `maxGapMs`).
 */
export function attachWedge(onScan: (code: string) => void, cfg: WedgeConfig = defaultWedgeConfig): () => void {
  const classifier = new WedgeClassifier(cfg);
  let timer: ReturnType<typeof setTimeout> | undefined;

  const handler = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
    const v = classifier.key(e.key, e.timeStamp);
    clearTimeout(timer);
    switch (v.kind) {
      case "buffer":
        e.preventDefault();
        timer = setTimeout(() => insertTyped(classifier.flush()), cfg.maxGapMs + 5);
        break;
      case "scan":
        e.preventDefault();
        e.stopPropagation();
        onScan(v.code);
        break;
      case "typed":
        insertTyped(v.text);
        if (!v.passKey) {
          // The current key started a new possible burst and is being held.
          e.preventDefault();
          timer = setTimeout(() => insertTyped(classifier.flush()), cfg.maxGapMs + 5);
        }
        break;
    }
  };
  document.addEventListener("keydown", handler, { capture: true });
  return () => document.removeEventListener("keydown", handler, { capture: true });
}
