// The one contract every adapter passes (issue: "one contract test suite, written once
// and run against every adapter"). A spec file per adapter opens its store and calls this.
import type { EventStore } from '../types';
import { appendContract } from './appends.contract';
import { streamNames, type StoreFactory } from './fixtures';
import { readContract } from './reads.contract';
import { subscriptionContract } from './subscriptions.contract';

export const describeEventStoreContract = (adapter: string, open: StoreFactory): void => {
  describe(`the event store contract on ${adapter}`, () => {
    let store: EventStore;
    const name = streamNames();
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    appendContract(() => store, name);
    readContract(() => store, open, name);
    subscriptionContract(() => store, name);
  });
};

export type { StoreFactory } from './fixtures';
