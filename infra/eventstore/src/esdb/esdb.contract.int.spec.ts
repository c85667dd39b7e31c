import { describeWithEventStoreDb } from '@ordo/testing';
import { createEventStore } from '../create';
import { describeEventStoreContract } from '../contract/event-store-contract';

describeWithEventStoreDb('EventStoreDB', (url) => {
  describeEventStoreContract('EventStoreDB', (options) => createEventStore(url, options));
});
