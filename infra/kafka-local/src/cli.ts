import { parseArgs } from 'node:util';
import { brokerStatus, startBroker, stopBroker } from './broker';

const USAGE = `usage: ordo-kafka-local <start|stop|status> [--port N] [--fresh] [--heap 512m]

  start   start the broker (or find it running) and return once it answers
  stop    stop it and wait until its process is gone
  status  print whether it runs and answers

  --port   client port (default ORDO_KAFKA_PORT or 9092; the controller uses port + 1)
  --fresh  delete the broker's data before starting
  --heap   JVM heap ceiling (default 512m)`;

const main = async (): Promise<number> => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      heap: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command] = positionals;
  if (values.help || positionals.length !== 1) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65535)) {
    console.error(`--port must be a port number, got '${values.port}'`);
    return 2;
  }
  const log = (line: string) => console.error(line);
  switch (command) {
    case 'start': {
      const started = Date.now();
      const broker = await startBroker({ port, fresh: values.fresh, heap: values.heap, log });
      const how = broker.alreadyRunning ? 'already running' : `ready in ${((Date.now() - started) / 1000).toFixed(1)} s`;
      console.log(`Kafka ${broker.brokers.join(',')} ${how} (pid ${broker.pid}, log ${broker.logFile})`);
      return 0;
    }
    case 'stop': {
      const { stopped, pid } = await stopBroker({ port });
      console.log(stopped ? `Kafka broker stopped (pid ${pid})` : 'no Kafka broker was running');
      return 0;
    }
    case 'status': {
      const status = await brokerStatus({ port });
      console.log(
        status.running
          ? `Kafka 127.0.0.1:${status.port} running (pid ${status.pid}), ${status.answering ? 'answering' : 'not answering yet'}`
          : `Kafka 127.0.0.1:${status.port} not running`,
      );
      return status.answering ? 0 : 1;
    }
    default:
      console.error(`unknown command '${command}'\n${USAGE}`);
      return 2;
  }
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`ordo-kafka-local: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
