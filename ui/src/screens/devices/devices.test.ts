import { describe, expect, it } from "vitest";
import type { DeviceChoices, DeviceStatusView, DeviceUpdate, FoundDevice } from "../../bindings";
import { applyFound, applyUpdate, changed, foundFor, isChosen, keyAction, splitHostPort, weightWords } from "./devices";

const line = { baud: 9600, data_bits: 8, parity: "none" as const, stop_bits: 1 };
const choices: DeviceChoices = {
  scale: { kind: "none", path: "", line, protocol: "mt_sics" },
  scanner: { enabled: false, path: "", line },
  label_printer: { kind: "none", host: "", port: 9100, path: "", queue: "", dir: "", dpi: "dpi203", size: "four_by_six_inch" },
  document_printer: { kind: "none", queue: "", dir: "" },
};
const found = (kind: FoundDevice["kind"], address: string): FoundDevice => ({
  id: `${kind}:${address}`,
  kind,
  address,
  description: address,
  simulated: false,
  problem: null,
});

describe("scale words", () => {
  it("names the four states a bench cares about", () => {
    expect(weightWords("stable")).toEqual({ label: "Stable", tone: "ok" });
    expect(weightWords("in_motion").label).toBe("In motion");
    expect(weightWords("under_zero").label).toMatch(/^Under zero/);
    expect(weightWords("overweight").tone).toBe("bad");
  });
});

describe("choosing a found device", () => {
  it("a serial port becomes the serial scale's port", () => {
    const c = applyFound(choices, "scale", found("serial_port", "/dev/ttyUSB0"));
    expect(c.scale.kind).toBe("serial");
    expect(c.scale.path).toBe("/dev/ttyUSB0");
    expect(choices.scale.kind).toBe("none"); // the original is untouched
    expect(isChosen(c, "scale", found("serial_port", "/dev/ttyUSB0"))).toBe(true);
    expect(changed(c, choices)).toBe(true);
  });

  it("a USB scale is a HID scale", () => {
    expect(applyFound(choices, "scale", found("usb_scale", "/dev/hidraw2")).scale.kind).toBe("usb_hid");
  });

  it("a network printer's address splits into host and port", () => {
    const c = applyFound(choices, "label", found("network_printer", "127.0.0.1:41234"));
    expect(c.label_printer).toMatchObject({ kind: "network_zpl", host: "127.0.0.1", port: 41234 });
    expect(isChosen(c, "label", found("network_printer", "127.0.0.1:41234"))).toBe(true);
    expect(splitHostPort("[::1]:9100")).toEqual({ host: "::1", port: 9100 });
    expect(splitHostPort("zebra.local")).toEqual({ host: "zebra.local", port: 9100 });
  });

  it("only print queues can print A4 documents", () => {
    const all = [found("serial_port", "/dev/ttyS0"), found("print_queue", "Office"), found("network_printer", "1.2.3.4:9100")];
    expect(foundFor("document", all).map((f) => f.address)).toEqual(["Office"]);
    expect(foundFor("scale", all).map((f) => f.address)).toEqual(["/dev/ttyS0"]);
  });
});

describe("live updates", () => {
  const status: DeviceStatusView = {
    scale: { device: "serial:/dev/pts/3", state: "connected", description: "MT-SICS", problem: null },
    scanner: null,
    weight: { state: "stable", grams: 100, display: "100 g", net: false, can_zero: true },
  };
  const update = (u: Partial<DeviceUpdate>): DeviceUpdate => ({
    device: "serial:/dev/pts/3",
    kind: "reading",
    weight: null,
    scan: null,
    problem: null,
    detail: null,
    ...u,
  });

  it("a reading replaces the weight", () => {
    const w = { state: "in_motion" as const, grams: 250, display: "250 g", net: false, can_zero: true };
    expect(applyUpdate(status, update({ weight: w })).weight).toEqual(w);
  });

  it("a reading from another device changes nothing", () => {
    const w = { state: "in_motion" as const, grams: 250, display: "250 g", net: false, can_zero: true };
    expect(applyUpdate(status, update({ device: "hid:auto", weight: w }))).toEqual(status);
  });

  it("an error after a disconnect shows the problem with its fix", () => {
    const gone = applyUpdate(status, update({ kind: "disconnected", weight: { ...status.weight, state: "disconnected", grams: null } }));
    expect(gone.scale?.state).toBe("disconnected");
    expect(gone.weight.state).toBe("disconnected");
    const err = applyUpdate(gone, update({ kind: "error", problem: { code: "DEVICE_PERMISSION_DENIED", message: "Run sudo usermod" } }));
    expect(err.scale?.state).toBe("error");
    expect(err.scale?.problem?.code).toBe("DEVICE_PERMISSION_DENIED");
    const back = applyUpdate(err, update({ kind: "connected", detail: "MT-SICS" }));
    expect(back.scale).toMatchObject({ state: "connected", problem: null });
  });
});

describe("keys", () => {
  const k = (key: string, ctrlKey = false) => keyAction({ key, ctrlKey, altKey: false, metaKey: false });
  it("Ctrl+S saves, Escape goes back, F-keys test", () => {
    expect(k("s", true)).toBe("save");
    expect(k("Escape")).toBe("back");
    expect(k("F4")).toBe("test_label");
    expect(k("F7")).toBe("zero");
    expect(k("s")).toBeNull();
  });
});
