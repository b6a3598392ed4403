// Thin helpers over the generated bindings (src/bindings.ts, made by tauri-specta from the
// Rust types: never edit that file by hand).
import type { AppError } from "../bindings";

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

/** An error from a use case, with its stable code. */
export class UiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Unwraps a command result, throwing a `UiError` with the stable code on failure. */
export async function call<T>(p: Promise<Result<T>>): Promise<T> {
  let r: Result<T>;
  try {
    r = await p;
  } catch (e) {
    // Framework-level failures (unknown command, ACL denial) arrive as strings.
    throw new UiError("IPC_FAILED", String(e));
  }
  if (r.status === "ok") return r.data;
  throw new UiError(r.error.code, r.error.message);
}

/** A message for any thrown value. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Runs a screen's action with its busy flag set; `said` gets "" when it worked and the
 * message when it failed (the result is then `undefined`).
 */
export async function attempt<T>(
  work: () => Promise<T>,
  busy: (on: boolean) => void,
  said: (message: string) => void,
): Promise<T | undefined> {
  busy(true);
  try {
    const r = await work();
    said("");
    return r;
  } catch (e) {
    said(messageOf(e));
    return undefined;
  } finally {
    busy(false);
  }
}
