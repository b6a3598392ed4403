// Every scanner of the station feeds one handler: keyboard-wedge scanners through the
// keystroke classifier, serial / USB-CDC scanners through the device manager's events
// (their raw text, AIM prefix included, goes to the same domain parser as a wedge scan).

import { events, type DeviceUpdate } from "../bindings";
import { attachWedge, defaultWedgeConfig, type WedgeConfig } from "./wedge";

/** The scan a device update carries, if it is one. */
export function serialScan(u: DeviceUpdate): string | null {
  return u.kind === "scan" && u.scan && u.scan.raw.trim() !== "" ? u.scan.raw : null;
}

/** Listens to wedge and serial scanners until the returned function is called. */
export function attachScanners(onScan: (raw: string) => void, cfg: WedgeConfig = defaultWedgeConfig): () => void {
  const detachWedge = attachWedge(onScan, cfg);
  let unlisten: (() => void) | null = null;
  let attached = true;
  events.deviceChanged
    .listen((e) => {
      const raw = serialScan(e.payload);
      if (raw !== null) onScan(raw);
    })
    .then((u) => {
      if (attached) unlisten = u;
      else u();
    })
    .catch(() => {
      // Outside the desktop shell (unit tests, a browser preview) there are no devices.
    });
  return () => {
    attached = false;
    detachWedge();
    unlisten?.();
  };
}
