import { testScope } from '@ordo/testing';
import { platformaticClient } from '../clients/kafka-client';
import { kafkaBusContract } from './kafka-fixture';

// The same contract with the relay and the consumer groups on @platformatic/kafka. The
// scope at the top, as kafka-bus.int.spec.ts has it: its schema is dropped after the bus closes.
const scope = testScope();

describe('the consumer contract on the Kafka bus, on @platformatic/kafka', () => {
  kafkaBusContract(scope, (brokers) => platformaticClient({ brokers, clientId: scope.id }));
});
