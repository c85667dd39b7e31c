import { commandTopic, eventTopic, type TopicSpec } from '@ordo/messaging';
import type { ServiceDefinition } from './module';

/**
 * Every topic a shop of these services uses, derived from their definitions: provisioned up
 * front in local mode. A service without a store (a read model) has no events topic.
 */
export const topicsOf = (services: readonly ServiceDefinition[], partitions: number): TopicSpec[] =>
  services.flatMap((service) => [
    ...(service.store ? [eventTopic(service.name, partitions)] : []),
    ...(service.takesCommands ? [commandTopic(service.name, partitions)] : []),
  ]);
