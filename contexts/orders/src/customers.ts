// Customers over HTTP, the service-to-service call orders makes before placing an order
// (docs/architecture.md, "The reference domain"): through the chassis's client, with a
// timeout, retries and a circuit breaker, so an order is refused at once while customers is down.
import { CustomerView } from '@ordo/customers-contract';
import type { ServiceClient } from '@ordo/http';
import type { CustomerDirectory } from './application/handlers';

export const httpCustomerDirectory = (customers: ServiceClient): CustomerDirectory => {
  const lookUp = async (customerId: string) => {
    const { status, body } = await customers.getJson(`/v1/customers/${encodeURIComponent(customerId)}`);
    if (status === 404) return undefined;
    // 401 or 403: this service's token is missing or too weak, a deployment error to see, not a customer to refuse.
    if (status !== 200) throw new Error(`customers answered ${status} to orders' check of customer ${customerId}`);
    const { address, owner } = CustomerView.parse(body);
    return { address, owner };
  };
  // Checks of one customer asked while one is under way share its answer (a burst of one
  // customer's orders makes one call, not one each). Nothing is kept after it: an address
  // changes, and an order ships to the one customers has now.
  const underWay = new Map<string, ReturnType<typeof lookUp>>();
  return {
    customerOf: (customerId) => {
      const asked = underWay.get(customerId);
      if (asked) return asked;
      const answer = lookUp(customerId).finally(() => underWay.delete(customerId));
      underWay.set(customerId, answer);
      return answer;
    },
  };
};
