import { testScope } from '@ordo/testing';
import { platformaticClient } from '../clients/kafka-client';
import { kafkaBusContract } from './kafka-fixture';

// The same contract with the relay and the consumer groups on @platformatic/kafka.
describe('the consumer contract on the Kafka bus, on @platformatic/kafka', () => {
  const scope = testScope();
  kafkaBusContract(scope, (brokers) => platformaticClient({ brokers, clientId: scope.id }));
});
