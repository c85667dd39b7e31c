#!/usr/bin/env node
// `npm start` has nothing to run until the first slice (catalog, orders, inventory and
// the order saga in embedded mode) lands; say so instead of failing obscurely.
console.log(`Ordo has no runnable service yet: the platform (service chassis, event store,
messaging) and the local Kafka broker are in place, and embedded mode (\`npm start\`)
arrives with the first slice.

What you can run today:
  npm test              every test level (starts a local Kafka broker if none is given)
  npm run kafka:start   a real Kafka broker on 127.0.0.1:9092 (kafka:stop, kafka:status)
  npm run bench         the benchmarks (eventstore, messaging)`);
