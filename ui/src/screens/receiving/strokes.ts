// The signature pad's pure logic: pointer samples become vector strokes
// ({x, y, pressure, t_ms} per point), and a quick check mirrors the station's rule (an
// empty pad or a dot is not a signature) so the Sign button can say so before asking.
// The Rust side decides; this only guides.

export interface StrokePoint {
  x: number;
  y: number;
  pressure: number;
  t_ms: number;
}

/** What a pointer event gives us (so tests need no DOM). */
export interface PointerSample {
  x: number;
  y: number;
  pressure: number;
  pointerType: string;
  time: number;
}

/** Same thresholds as `receiving::signature` in Rust (CSS px). */
export const MIN_INK_PX = 24;
export const MIN_EXTENT_PX = 12;
/** Points closer than this to the previous one add nothing but bytes. */
const MIN_STEP_PX = 0.75;

/** Pressure as the station stores it: mice report 0.5 while pressed; 0 means "unknown". */
export function pressureOf(s: Pick<PointerSample, "pressure" | "pointerType">): number {
  if (s.pointerType === "mouse") return 0.5;
  if (!Number.isFinite(s.pressure) || s.pressure <= 0) return 0.5;
  return Math.min(1, s.pressure);
}

/** Collects strokes from pointer down/move/up. */
export class StrokeRecorder {
  strokes: StrokePoint[][] = [];
  private current: StrokePoint[] | null = null;
  private t0: number | null = null;

  private point(s: PointerSample): StrokePoint {
    this.t0 ??= s.time;
    return {
      x: Math.round(s.x * 10) / 10,
      y: Math.round(s.y * 10) / 10,
      pressure: Math.round(pressureOf(s) * 100) / 100,
      t_ms: Math.max(0, Math.round(s.time - this.t0)),
    };
  }

  down(s: PointerSample): void {
    this.current = [this.point(s)];
    this.strokes.push(this.current);
  }

  /** Adds a sample to the stroke in progress; returns the segment to draw, if any. */
  move(s: PointerSample): [StrokePoint, StrokePoint] | null {
    if (!this.current) return null;
    const p = this.point(s);
    const last = this.current[this.current.length - 1]!;
    if (Math.hypot(p.x - last.x, p.y - last.y) < MIN_STEP_PX) return null;
    this.current.push(p);
    return [last, p];
  }

  up(): void {
    this.current = null;
  }

  clear(): void {
    this.strokes = [];
    this.current = null;
    this.t0 = null;
  }

  get pointCount(): number {
    return this.strokes.reduce((n, s) => n + s.length, 0);
  }
}

/** Total length of the lines drawn. */
export function inkLength(strokes: StrokePoint[][]): number {
  let ink = 0;
  for (const s of strokes) {
    for (let i = 1; i < s.length; i++) ink += Math.hypot(s[i]!.x - s[i - 1]!.x, s[i]!.y - s[i - 1]!.y);
  }
  return ink;
}

/** The wider side of the box around every point. */
export function extent(strokes: StrokePoint[][]): number {
  const pts = strokes.flat();
  if (pts.length === 0) return 0;
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  return Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
}

/** Why the pad does not hold a signature yet, or null when it does. */
export function signatureProblem(strokes: StrokePoint[][]): string | null {
  if (strokes.every((s) => s.length === 0)) return "Sign in the box first.";
  if (inkLength(strokes) < MIN_INK_PX || extent(strokes) < MIN_EXTENT_PX) return "That is a dot, not a signature.";
  return null;
}
