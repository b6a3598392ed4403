// Distinct sounds for the bench (DOMAIN.md "Packing"): accepted, line complete, and
// for each kind of trouble its own: an unknown barcode, a product not on the
// consignment, one unit too many, an error. Synthesised with Web Audio: no files, no
// network.

export type Cue = "accepted" | "complete" | "unknown" | "unexpected" | "overpack" | "error";

/** Each cue is a short sequence of [frequency Hz, duration ms] notes. */
export const cues: Record<Cue, ReadonlyArray<readonly [number, number]>> = {
  accepted: [[1760, 60]],
  complete: [
    [1319, 70],
    [1760, 110],
  ],
  /** No product has this code: one low, long buzz. */
  unknown: [[220, 380]],
  /** A real product, but not on this consignment: two mid buzzes. */
  unexpected: [
    [440, 120],
    [440, 120],
  ],
  /** The line already has all it needs: three quick high warnings. */
  overpack: [
    [990, 70],
    [990, 70],
    [990, 70],
  ],
  error: [
    [660, 120],
    [330, 260],
  ],
};

let ctx: AudioContext | undefined;

/** Plays a cue; silently does nothing where audio is unavailable. */
export function play(cue: Cue, volume = 0.25): void {
  try {
    ctx ??= new AudioContext();
    let t = ctx.currentTime;
    for (const [freq, ms] of cues[cue]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = cue === "accepted" || cue === "complete" ? "sine" : "square";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(volume, t);
      gain.gain.exponentialRampToValueAtTime(0.001, t + ms / 1000);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + ms / 1000);
      t += ms / 1000 + 0.03;
    }
  } catch {
    // No audio device (CI, muted bench PC): the on-screen message still says it all.
  }
}
