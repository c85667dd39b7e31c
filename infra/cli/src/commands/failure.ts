// How a command says it failed: a message for stderr (`ordo: <message>`) and exit 1.
// Usage errors are commander's (exit 2); anything else thrown is a bug, reported the same way.

/** A failure the user can act on: unreachable servers, unknown names, work left undone. */
export class CliFailure extends Error {
  override name = 'CliFailure';
}

/** The message of anything thrown, with the code of a system error (ECONNREFUSED) where it has one. */
export const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = (error as NodeJS.ErrnoException).code ?? (cause as NodeJS.ErrnoException | undefined)?.code;
  const message = error.message || (error as AggregateError).errors?.map((inner: unknown) => describe(inner)).join('; ') || error.name;
  if (code) return message.includes(code) ? message : `${message} (${code})`;
  // fetch's own message says only that it failed; its cause says why (a refused port, a bad URL).
  return cause instanceof Error && cause.message && !message.includes(cause.message) ? `${message}: ${describe(cause)}` : message;
};
