import { getContainerRuntimeClient } from 'testcontainers';

/** Whether a Docker engine answers; the docker client alone is not enough. */
export const dockerEngineAnswers = async (timeoutMs = 5_000): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = getContainerRuntimeClient().then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
};
