import type { Admin, Kafka } from 'kafkajs';
import type { EventStore } from '@ordo/eventstore';
import type { HttpServer } from '@ordo/http';
import type { BusConsumerOptions } from '@ordo/messaging';
import { projectionConsumer, type ProjectionService } from './consumer';
import type { Projection } from './definition';
import { projectionRoutes } from './http';
import { registerProjectionLag } from './metrics';
import { kafkaLag, projectionStatus, storeLag, type LagSource, type ProjectionStatus } from './status';

// What a read-model service builds from its projections: their consumers, GET
// /v1/projections, the lag gauges on the service's registry, and the broker connection the
// lag is read over.

/** Where the events come from, as the host says (`@ordo/host`'s EventSources): the context stores, or the broker. */
export type ReadModelSources = { stores: { name: string; store: EventStore }[] } | { kafka: Kafka };

/** A service's own work, in `@ordo/host`'s shape: started with its consumers, stopped before its bus closes. */
interface ReadModelWorker {
  name: string;
  start(): Promise<{ stop(): Promise<void>; readonly failed: Promise<never> }>;
}

export interface ReadModelProjections {
  consumers: BusConsumerOptions<unknown>[];
  /** Registers `GET /v1/projections`. */
  routes(app: HttpServer): void;
  workers: ReadModelWorker[];
}

// Embedded mode mounts every read model on one server, where a path lives once: the first
// to register GET /v1/projections serves the statuses of every read model on that server.
const statusesOnServer = new WeakMap<HttpServer, (() => Promise<ProjectionStatus[]>)[]>();

const registerStatus = (app: HttpServer, status: () => Promise<ProjectionStatus[]>) => {
  const registered = statusesOnServer.get(app);
  if (registered) {
    registered.push(status);
    return;
  }
  const statuses = [status];
  statusesOnServer.set(app, statuses);
  projectionRoutes(app, async () => (await Promise.all(statuses.map((each) => each()))).flat());
};

export const readModelProjections = (projections: Projection[], service: ProjectionService & { sources?: ReadModelSources }): ReadModelProjections => {
  const { sources } = service;
  let admin: Admin | undefined;
  const lag: LagSource | undefined =
    sources === undefined
      ? undefined
      : 'stores' in sources
        ? storeLag(sources.stores)
        : (projection, checkpoints) => {
            if (!admin) throw new Error('the broker connection for the projections’ lag is not open yet');
            return kafkaLag(admin)(projection, checkpoints);
          };
  const status = async () => {
    if (!lag) throw new Error('this host gives the read model no event sources to measure its lag against');
    return projectionStatus(projections, { sql: service.sql, schema: service.schema, lag });
  };
  if (lag && service.metrics)
    registerProjectionLag(service.metrics.registry, status, {
      key: projections.map((projection) => projection.name).join(','),
      onError: (error) => service.logger?.warn({ err: error }, 'projection lag not measured for this scrape'),
    });
  const workers: ReadModelWorker[] =
    sources && 'kafka' in sources
      ? [
          {
            name: 'projection lag',
            start: async () => {
              const connected = sources.kafka.admin();
              await connected.connect();
              admin = connected;
              return { stop: () => connected.disconnect(), failed: new Promise<never>(() => undefined) };
            },
          },
        ]
      : [];
  return {
    consumers: projections.map((projection) => projectionConsumer(projection, service)),
    routes: (app) => {
      if (lag) registerStatus(app, status);
    },
    workers,
  };
};
