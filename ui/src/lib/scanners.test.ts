import { describe, expect, it, vi } from "vitest";

const listeners: Array<(e: { payload: unknown }) => void> = [];
vi.mock("../bindings", () => ({
  events: {
    deviceChanged: {
      listen: (f: (e: { payload: unknown }) => void) => {
        listeners.push(f);
        return Promise.resolve(() => listeners.splice(listeners.indexOf(f), 1));
      },
    },
  },
}));

// The keyboard side is the wedge classifier's (tested in wedge.test.ts); here it only
// has to be attached and detached.
const wedge = { attached: 0 };
vi.mock("./wedge", () => ({
  defaultWedgeConfig: { maxGapMs: 35 },
  attachWedge: () => {
    wedge.attached++;
    return () => wedge.attached--;
  },
}));

const { attachScanners, serialScan } = await import("./scanners");

const update = (kind: string, raw: string | null) => ({
  device: "scanner-1",
  kind,
  weight: null,
  scan: raw === null ? null : { raw, data: raw.replace(/^\][A-Za-z]\d/, ""), symbology: null },
  problem: null,
  detail: null,
});

describe("scanners", () => {
  it("a serial scanner's scan reaches the handler with its AIM prefix for the parser", async () => {
    const got: string[] = [];
    const detach = attachScanners((raw) => got.push(raw));
    await Promise.resolve();
    expect(wedge.attached).toBe(1);
    listeners.forEach((f) => f({ payload: update("scan", "]E09421234567890") }));
    listeners.forEach((f) => f({ payload: update("connected", null) }));
    expect(got).toEqual(["]E09421234567890"]);
    detach();
    await Promise.resolve();
    expect(listeners).toHaveLength(0);
    expect(wedge.attached).toBe(0);
  });

  it("only scans with something in them count", () => {
    expect(serialScan(update("scan", "  ") as never)).toBeNull();
    expect(serialScan(update("disconnected", null) as never)).toBeNull();
    expect(serialScan(update("scan", "9421234567890") as never)).toBe("9421234567890");
  });
});
