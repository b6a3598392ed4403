import { describe, expect, it } from "vitest";
import { StrokeRecorder, pressureOf, signatureProblem } from "./strokes";

const sample = (x: number, y: number, time: number, pointerType = "pen", pressure = 0.7) => ({
  x,
  y,
  time,
  pointerType,
  pressure,
});

describe("signature pad strokes", () => {
  it("records strokes as points with times from the first touch", () => {
    const r = new StrokeRecorder();
    r.down(sample(10, 10, 1000));
    r.move(sample(30, 12, 1016));
    r.move(sample(60, 40, 1032));
    r.up();
    r.down(sample(80, 20, 1200));
    r.move(sample(82, 60, 1216));
    r.up();
    expect(r.strokes).toHaveLength(2);
    expect(r.strokes[0]!.map((p) => p.t_ms)).toEqual([0, 16, 32]);
    expect(r.strokes[1]![0]).toEqual({ x: 80, y: 20, pressure: 0.7, t_ms: 200 });
    expect(signatureProblem(r.strokes)).toBeNull();
  });

  it("an empty pad and a dot are not signatures", () => {
    const r = new StrokeRecorder();
    expect(signatureProblem(r.strokes)).toMatch(/Sign/);
    r.down(sample(50, 50, 0));
    r.up();
    expect(signatureProblem(r.strokes)).toMatch(/dot/);
    r.down(sample(50, 50, 10));
    r.move(sample(53, 52, 20));
    r.up();
    expect(signatureProblem(r.strokes)).toMatch(/dot/);
  });

  it("tiny jitter adds no points", () => {
    const r = new StrokeRecorder();
    r.down(sample(10, 10, 0));
    expect(r.move(sample(10.2, 10.1, 5))).toBeNull();
    expect(r.pointCount).toBe(1);
  });

  it("a mouse presses at 0.5 and a device without pressure counts as 0.5", () => {
    expect(pressureOf({ pointerType: "mouse", pressure: 0 })).toBe(0.5);
    expect(pressureOf({ pointerType: "touch", pressure: 0 })).toBe(0.5);
    expect(pressureOf({ pointerType: "pen", pressure: 0.9 })).toBe(0.9);
    expect(pressureOf({ pointerType: "pen", pressure: 3 })).toBe(1);
  });

  it("clear starts over", () => {
    const r = new StrokeRecorder();
    r.down(sample(1, 1, 0));
    r.clear();
    expect(r.strokes).toEqual([]);
  });
});
