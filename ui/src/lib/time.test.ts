import { describe, expect, it } from "vitest";
import { ago } from "./time";

describe("ago", () => {
  const now = Date.parse("2026-11-25T10:00:00Z");
  it("says never for a missing time", () => expect(ago(null, now)).toBe("never"));
  it("rounds seconds, minutes, hours, days", () => {
    expect(ago("2026-11-25T09:59:55Z", now)).toBe("just now");
    expect(ago("2026-11-25T09:59:30Z", now)).toBe("30 s ago");
    expect(ago("2026-11-25T09:55:00Z", now)).toBe("5 min ago");
    expect(ago("2026-11-25T07:00:00Z", now)).toBe("3 h ago");
    expect(ago("2026-11-22T10:00:00Z", now)).toBe("3 d ago");
  });
  it("says unknown for garbage", () => expect(ago("yesterday", now)).toBe("unknown"));
});
