import { describe, expect, it } from "vitest";
import { cues, type Cue } from "./sound";

describe("bench sounds", () => {
  it("every cue sounds different, so a packer knows what happened without looking", () => {
    const names = Object.keys(cues) as Cue[];
    expect(names).toEqual(["accepted", "complete", "unknown", "unexpected", "overpack", "error"]);
    const tunes = names.map((n) => JSON.stringify(cues[n]));
    expect(new Set(tunes).size).toBe(names.length);
  });

  it("a cue is short enough not to hold up the next scan", () => {
    for (const notes of Object.values(cues)) {
      const ms = notes.reduce((t, [, d]) => t + d + 30, 0);
      expect(ms).toBeLessThan(500);
    }
  });
});
