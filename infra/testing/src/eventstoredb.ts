/**
 * A describe block that runs only when an EventStoreDB is reachable (ESDB_URL, or a
 * container the harness started). Otherwise its tests are reported as skipped; the
 * harness has already printed the one line that says why.
 */
export const describeWithEventStoreDb = (name: string, body: (url: string) => void): void => {
  const url = process.env.ESDB_URL;
  if (url) describe(name, () => body(url));
  else describe.skip(name, () => body(''));
};
