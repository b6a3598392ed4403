import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SingleKeyGate } from "./shortcuts";

describe("single-key shortcuts beside a wedge scanner", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("a lone key fires after the scanner's gap", () => {
    const fired: string[] = [];
    const g = new SingleKeyGate(35, (k) => fired.push(k));
    g.key("a");
    vi.advanceTimersByTime(30);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(30);
    expect(fired).toEqual(["a"]);
  });

  it("a burst of keys (a scan) fires nothing", () => {
    const fired: string[] = [];
    const g = new SingleKeyGate(35, (k) => fired.push(k));
    for (const k of "9421234500019") {
      g.key(k);
      vi.advanceTimersByTime(8);
    }
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([]);
  });

  it("a scan cancels what was held", () => {
    const fired: string[] = [];
    const g = new SingleKeyGate(35, (k) => fired.push(k));
    g.key("1");
    g.cancel();
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([]);
  });
});
