// Single-key shortcuts on a screen that also takes keyboard-wedge scans: a printable key
// is a shortcut only when no other key follows within the scanner's gap, so the digits
// and letters of a scanned code never trigger shortcuts.

export class SingleKeyGate {
  private held: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private gapMs: number,
    private readonly fire: (key: string) => void,
  ) {}

  /** The scanner's gap changed (station configuration). */
  setGap(ms: number): void {
    this.gapMs = ms;
  }

  /** A printable key outside a text field. */
  key(k: string): void {
    this.held.push(k);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const keys = this.held;
      this.held = [];
      if (keys.length === 1) this.fire(keys[0]!);
    }, this.gapMs + 20);
  }

  /** A scan arrived: what was held belonged to it. */
  cancel(): void {
    this.held = [];
    clearTimeout(this.timer);
  }
}
