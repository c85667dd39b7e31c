import { commandTopic, eventTopic, type TopicSpec } from '@ordo/messaging';
import type { ServiceDefinition } from './module';

/** Every topic a shop of these services uses, derived from their definitions: provisioned up front in local mode. */
export const topicsOf = (services: readonly ServiceDefinition[], partitions: number): TopicSpec[] =>
  services.flatMap((service) => [eventTopic(service.name, partitions), ...(service.takesCommands ? [commandTopic(service.name, partitions)] : [])]);
