import path from 'node:path';

export const DEFAULT_PORT = 9092;

/** Where jars and broker state live: ORDO_KAFKA_HOME, else this package's git-ignored .cache. */
export const kafkaHome = (home = process.env.ORDO_KAFKA_HOME): string => path.resolve(home ?? path.join(__dirname, '..', '.cache'));

export const pomFile = path.join(__dirname, '..', 'pom.xml');

/** The folder of one broker: each port gets its own data, config, log and pid file. */
export const brokerPaths = (home: string, port: number) => {
  const dir = path.join(home, `broker-${port}`);
  return {
    dir,
    data: path.join(dir, 'data'),
    serverProperties: path.join(dir, 'server.properties'),
    log4jProperties: path.join(dir, 'log4j2.properties'),
    logFile: path.join(dir, 'broker.log'),
    pidFile: path.join(dir, 'broker.pid'),
    lockFile: path.join(dir, 'start.lock'),
  };
};

export type BrokerPaths = ReturnType<typeof brokerPaths>;
