import { testScope } from '@ordo/testing';
import { createEventStore } from '../create';
import { describeEventStoreContract } from '../contract/event-store-contract';

const scope = testScope();

describeEventStoreContract('PostgreSQL', async (options) => {
  await scope.db(); // the scope drops this file's schema afterwards
  return createEventStore(scope.env.databaseUrl, { ...options, schema: scope.schema });
});
