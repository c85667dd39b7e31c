import { testScope } from '@ordo/testing';
import { kafkaBusContract } from './kafka-fixture';

describe('the consumer contract on the Kafka bus, on kafkajs', () => {
  kafkaBusContract(testScope());
});
