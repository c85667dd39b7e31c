// Customers over HTTP, the service-to-service call orders makes before placing an order
// (docs/architecture.md, "The reference domain"): through the chassis's client, with a
// timeout, retries and a circuit breaker, so an order is refused at once while customers is down.
import { CustomerView } from '@ordo/customers-contract';
import type { ServiceClient } from '@ordo/http';
import type { CustomerDirectory } from './application/handlers';

export const httpCustomerDirectory = (customers: ServiceClient): CustomerDirectory => ({
  customerOf: async (customerId) => {
    const { status, body } = await customers.getJson(`/v1/customers/${encodeURIComponent(customerId)}`);
    if (status === 404) return undefined;
    // 401 or 403: this service's token is missing or too weak, a deployment error to see, not a customer to refuse.
    if (status !== 200) throw new Error(`customers answered ${status} to orders' check of customer ${customerId}`);
    const { address, owner } = CustomerView.parse(body);
    return { address, owner };
  },
});
