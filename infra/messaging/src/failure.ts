/** A promise that rejects once something fails for good, and the call that fails it. */
export const failureSignal = () => {
  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
  return { failed, fail };
};
