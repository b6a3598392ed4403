import { describe, expect, it } from "vitest";
import { lightspeedWords } from "./labels";

describe("Lightspeed state words", () => {
  it("say plainly how far Lightspeed is, with a tone for each", () => {
    expect(lightspeedWords("done")).toEqual({ text: "At Lightspeed ✓", tone: "ok" });
    expect(lightspeedWords("pending")?.tone).toBe("wait");
    expect(lightspeedWords("refused")?.tone).toBe("bad");
    expect(lightspeedWords("not_sent")?.text).toContain("Not sent");
    expect(lightspeedWords(null)).toBeNull();
    expect(lightspeedWords("something new")).toBeNull();
  });
});
