// Writes that must reach the store in the order the person made them (counts, line
// edits): each waits for the one before, so a slow answer never lets an older value
// overwrite a newer one.

/** Returns a function that runs async work one at a time, in call order. */
export function serial(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work);
    tail = run.catch(() => undefined);
    return run;
  };
}
