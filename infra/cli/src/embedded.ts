// `npm start`: the whole shop in one process on one port, on PGlite under .ordo/ and
// the embedded bus (docs/architecture.md, "The three ways it runs").
import { exitOnStartFailure } from '@ordo/http';
import { EMBEDDED_OPERATOR, localTokens, runEmbedded } from '@ordo/host';
import { placeOrderCurl, seedShop } from './seed';
import { shopServices } from './shop';

const main = async () => {
  const { url, app } = await runEmbedded({ name: 'ordo', services: shopServices });
  const dataDir = process.env.ORDO_DATA_DIR ?? '.ordo';
  // The first start made it; this reads it back.
  const { tokens, file } = localTokens(dataDir, [EMBEDDED_OPERATOR]);
  const operatorToken = tokens[EMBEDDED_OPERATOR.subject] as string;
  // No customer token: anonymous callers act as customers, and the demo customer is theirs.
  const { seeded, customerId } = await seedShop({ catalog: url, inventory: url, orders: url, customers: url, inventoryView: url }, { operator: operatorToken });
  app.log.info({ seeded }, seeded ? 'seeded a small catalog, its stock and a demo customer' : 'catalog and stock already there');
  console.log(
    [
      '',
      `Ordo is running (embedded: ${shopServices.map((service) => service.name).join(', ')}) at ${url}`,
      `  API docs:  ${url}/docs`,
      `  Saga dashboard: ${url}/dashboard (log in with the operator token below)`,
      `  Place an order:`,
      `    ${placeOrderCurl(url, customerId)}`,
      `  Then:      curl -s ${url}/v1/orders/<orderId> -H 'read-after: <the etag the placement answered with>'`,
      `  Operator token (the saga dashboard's login; adding products and stock, every order and saga; kept in ${file}):`,
      `    ${operatorToken}`,
      `    curl -s ${url}/v1/sagas/order-placement/<orderId> -H 'authorization: Bearer ${operatorToken}'`,
      `  Data is kept in ${dataDir}/ (delete it to start afresh). Ctrl-C stops.`,
      '',
    ].join('\n'),
  );
};

main().catch(exitOnStartFailure);
