// Pure logic of the device settings screen (no DOM, no IPC), tested with vitest: words and
// tones for scale and connection states, which found devices suit which role, putting a
// found device into the choices, applying live device updates, and the screen's keys.
import type {
  ConnectionState,
  DeviceChoices,
  DeviceStateView,
  DeviceStatusView,
  DeviceUpdate,
  FoundDevice,
  WeightState,
} from "../../bindings";

export type Tone = "ok" | "warn" | "bad" | "muted";

/** The words and colour for what the scale shows. */
export function weightWords(state: WeightState): { label: string; tone: Tone } {
  switch (state) {
    case "stable":
      return { label: "Stable", tone: "ok" };
    case "stable_zero":
      return { label: "Stable at zero", tone: "ok" };
    case "in_motion":
      return { label: "In motion", tone: "warn" };
    case "under_zero":
      return { label: "Under zero: zero the scale", tone: "bad" };
    case "overweight":
      return { label: "Overweight: too heavy for this scale", tone: "bad" };
    case "fault":
      return { label: "Scale fault", tone: "bad" };
    case "needs_calibration":
      return { label: "Needs calibration", tone: "bad" };
    case "needs_zeroing":
      return { label: "Needs zeroing", tone: "warn" };
    case "not_ready":
      return { label: "Not ready", tone: "warn" };
    case "waiting":
      return { label: "Waiting for a reading…", tone: "muted" };
    case "disconnected":
      return { label: "Not connected", tone: "bad" };
    case "no_scale":
      return { label: "No scale chosen", tone: "muted" };
  }
}

/** The words and colour for a chosen device's connection. */
export function connectionWords(state: ConnectionState | null): { label: string; tone: Tone } {
  switch (state) {
    case "connected":
      return { label: "Connected", tone: "ok" };
    case "disconnected":
      return { label: "Looking for it…", tone: "warn" };
    case "error":
      return { label: "Problem", tone: "bad" };
    case null:
      return { label: "Not chosen", tone: "muted" };
  }
}

/** The settings screen's roles. */
export type Role = "scale" | "scanner" | "label" | "document";

/** Found devices that can fill `role`. */
export function foundFor(role: Role, found: FoundDevice[]): FoundDevice[] {
  return found.filter((f) => {
    switch (role) {
      case "scale":
        return f.kind === "serial_port" || f.kind === "usb_scale";
      case "scanner":
        return f.kind === "serial_port";
      case "label":
        return f.kind === "network_printer" || f.kind === "usb_printer" || f.kind === "print_queue";
      case "document":
        return f.kind === "print_queue";
    }
  });
}

/** Splits "host:port" (IPv6 in brackets allowed); the port defaults to 9100. */
export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^\[(.+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (m) return { host: m[1] ?? address, port: Number(m[2]) };
  return { host: address, port: 9100 };
}

/** The choices with `found` put into `role` (a copy; the form saves it explicitly). */
export function applyFound(choices: DeviceChoices, role: Role, found: FoundDevice): DeviceChoices {
  const c: DeviceChoices = structuredClone(choices);
  switch (role) {
    case "scale":
      c.scale.kind = found.kind === "usb_scale" ? "usb_hid" : "serial";
      c.scale.path = found.address;
      break;
    case "scanner":
      c.scanner.enabled = true;
      c.scanner.path = found.address;
      break;
    case "label":
      if (found.kind === "network_printer") {
        const { host, port } = splitHostPort(found.address);
        c.label_printer.kind = "network_zpl";
        c.label_printer.host = host;
        c.label_printer.port = port;
      } else if (found.kind === "usb_printer") {
        c.label_printer.kind = "usb_zpl";
        c.label_printer.path = found.address;
      } else {
        c.label_printer.kind = "cups_zpl";
        c.label_printer.queue = found.address;
      }
      break;
    case "document":
      c.document_printer.kind = "cups";
      c.document_printer.queue = found.address;
      break;
  }
  return c;
}

/** True when `found` is what `role` uses now. */
export function isChosen(choices: DeviceChoices, role: Role, found: FoundDevice): boolean {
  switch (role) {
    case "scale":
      return choices.scale.kind !== "none" && choices.scale.path === found.address;
    case "scanner":
      return choices.scanner.enabled && choices.scanner.path === found.address;
    case "label": {
      const l = choices.label_printer;
      if (found.kind === "network_printer") {
        const { host, port } = splitHostPort(found.address);
        return l.kind === "network_zpl" && l.host === host && l.port === port;
      }
      if (found.kind === "usb_printer") return l.kind === "usb_zpl" && l.path === found.address;
      return (l.kind === "cups_zpl" || l.kind === "cups_pdf") && l.queue === found.address;
    }
    case "document":
      return choices.document_printer.kind === "cups" && choices.document_printer.queue === found.address;
  }
}

/** True when the form differs from what is saved. */
export function changed(a: DeviceChoices, b: DeviceChoices): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}

function withState(s: DeviceStateView | null, u: DeviceUpdate): DeviceStateView | null {
  if (!s || s.device !== u.device) return s;
  switch (u.kind) {
    case "connected":
      return { ...s, state: "connected", description: u.detail ?? s.description, problem: null };
    case "disconnected":
      return { ...s, state: s.problem ? "error" : "disconnected" };
    case "error":
      return s.state === "connected" ? s : { ...s, state: "error", problem: u.problem };
    default:
      return s;
  }
}

/** The status after a live device update (readings replace the weight). */
export function applyUpdate(status: DeviceStatusView, u: DeviceUpdate): DeviceStatusView {
  const scale = withState(status.scale, u);
  const isScale = status.scale?.device === u.device;
  let weight = status.weight;
  if (isScale && u.weight && (u.kind === "reading" || u.kind === "disconnected")) weight = u.weight;
  return { ...status, scale, scanner: withState(status.scanner, u), weight };
}

/** What a key does on the settings screen. */
export type DeviceKey = "save" | "back" | "zero" | "tare" | "test_scan" | "test_label" | "test_page";

/** The screen's keys: Ctrl+S saves, Escape goes back, F-keys run the tests. */
export function keyAction(e: { key: string; ctrlKey: boolean; altKey: boolean; metaKey: boolean }): DeviceKey | null {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "s") return "save";
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  switch (e.key) {
    case "Escape":
      return "back";
    case "F2":
      return "test_scan";
    case "F4":
      return "test_label";
    case "F6":
      return "test_page";
    case "F7":
      return "zero";
    case "F8":
      return "tare";
    default:
      return null;
  }
}
