// Local mode's replicas (`npm run start:local -- --replicas orders=2,sagas=2`): more than one
// process of a service, each on a port of its own, on the service's one database. The
// gateway and the services that call it take turns between them (PEER_URLS and
// UPSTREAM_URLS name a service once per replica); Kafka shares the partitions of each
// consumer group among them; the relay's lock lets one of them publish (docs/running.md).
import { InvalidArgumentError } from 'commander';

/** One process local mode runs for a service. */
export interface ServiceProcess {
  service: string;
  /** 1 for the first, which has the service's own port. */
  replica: number;
  /** As the supervisor's log lines are prefixed: `orders`, `orders#2`. */
  name: string;
  port: number;
  url: string;
}

/** `orders=2,sagas=3` as counts by service; a commander option parser, so a bad value is a usage error naming it. */
export const parseReplicas =
  (services: readonly string[]) =>
  (text: string): ReadonlyMap<string, number> => {
    const counts = new Map<string, number>();
    for (const entry of text.split(',').map((part) => part.trim())) {
      const [name = '', count = ''] = entry.split('=');
      if (!services.includes(name)) throw new InvalidArgumentError(`'${name}' is no service of the shop: they are ${services.join(', ')}`);
      if (!/^[1-9]\d?$/.test(count)) throw new InvalidArgumentError(`${name}: the count is a whole number from 1 to 99, not '${count}'`);
      if (counts.has(name)) throw new InvalidArgumentError(`${name} is given twice`);
      counts.set(name, Number(count));
    }
    return counts;
  };

/**
 * Every process, in the shop's order: the first replica of each service on its port
 * (`portOf`), the others after the last service's port, one each, in the same order.
 */
export const serviceProcesses = (services: readonly string[], replicas: ReadonlyMap<string, number>, portOf: (service: string) => number): ServiceProcess[] => {
  let nextExtraPort = Math.max(...services.map(portOf)) + 1;
  const extra = services.flatMap((service) =>
    Array.from({ length: (replicas.get(service) ?? 1) - 1 }, (_, index) => ({ service, replica: index + 2, port: nextExtraPort++ })),
  );
  return [...services.map((service) => ({ service, replica: 1, port: portOf(service) })), ...extra].map((instance) => ({
    ...instance,
    name: instance.replica === 1 ? instance.service : `${instance.service}#${instance.replica}`,
    url: `http://127.0.0.1:${instance.port}`,
  }));
};

/** Each service's URLs, one per replica, first replica first. */
export const urlsByService = (processes: readonly ServiceProcess[]): Map<string, string[]> => {
  const urls = new Map<string, string[]>();
  for (const instance of processes) urls.set(instance.service, [...(urls.get(instance.service) ?? []), instance.url]);
  return urls;
};
