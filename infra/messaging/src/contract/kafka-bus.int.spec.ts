import { testScope } from '@ordo/testing';
import { kafkaBusContract } from './kafka-fixture';

// At the top: the scope drops its schema in an afterAll of its own, which must run after
// the contract's, once the bus and the store are closed.
const scope = testScope();

describe('the consumer contract on the Kafka bus, on kafkajs', () => {
  kafkaBusContract(scope);
});
