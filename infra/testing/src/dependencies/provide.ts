/** Where a test dependency came from, printed at the start of every run. */
export type Origin = 'environment' | 'testcontainers' | 'local';

export interface Provided {
  name: string;
  address: string;
  origin: Origin;
  detail: string;
  /** Set when this run started the dependency and must stop it afterwards. */
  stop?: () => Promise<void>;
}

export interface Unavailable {
  name: string;
  origin: 'unavailable';
  detail: string;
}

export interface Started {
  address: string;
  detail: string;
  stop?: () => Promise<void>;
}

/**
 * How one dependency can be had, in the order the harness tries: the address in the
 * environment, a container when a Docker engine answers, else a local default.
 */
export interface DependencySource {
  name: string;
  envVar: string;
  /** Rejects with the reason when nothing answers at that address. */
  check(address: string): Promise<void>;
  startContainer(): Promise<Started>;
  /** Absent where there is no local default (EventStoreDB). */
  startLocal?(): Promise<Started>;
  /** Shown when it cannot be had. */
  ways: string[];
}

export class DependencyUnavailableError extends Error {
  constructor(name: string, reason: string, ways: string[]) {
    super(`${name} is needed by the tests and could not be had: ${reason}\nProvide it in one of these ways:\n${ways.map((way) => `  - ${way}`).join('\n')}`);
    this.name = 'DependencyUnavailableError';
  }
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const provide = async (source: DependencySource, env: NodeJS.ProcessEnv, dockerAnswers: () => Promise<boolean>): Promise<Provided | Unavailable> => {
  const fromEnv = env[source.envVar];
  if (fromEnv) {
    // The caller named this address: falling back elsewhere would test the wrong server.
    await source.check(fromEnv).catch((error: unknown) => {
      throw new DependencyUnavailableError(source.name, `${source.envVar}=${fromEnv} does not answer (${reasonOf(error)})`, source.ways);
    });
    return { name: source.name, address: fromEnv, origin: 'environment', detail: `from ${source.envVar}` };
  }
  if (await dockerAnswers()) {
    const started = await source.startContainer();
    return { name: source.name, origin: 'testcontainers', ...started };
  }
  if (!source.startLocal) {
    return { name: source.name, origin: 'unavailable', detail: `no ${source.envVar} and no Docker engine` };
  }
  const local = await source.startLocal().catch((error: unknown) => {
    throw new DependencyUnavailableError(source.name, reasonOf(error), source.ways);
  });
  return { name: source.name, origin: 'local', ...local };
};
