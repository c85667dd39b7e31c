import { sagaSpec, started } from '@ordo/saga';
import { confirm, confirmed, order, orderId, reject, rejected, rejectedOrder, release, released, reserved, shortOf } from './conversation.fixtures';
import { orderPlacementV1 } from './definition-v1';

// An instance started on version 1 recorded the order and its lines only, and finishes as
// version 1 did: no payment, no shipment.
const spec = sagaSpec(orderPlacementV1);
const startedOnV1 = started({ orderId, lines: order.lines });
const allReserved = [startedOnV1, reserved('SKU-1', 2), reserved('SKU-2', 5), reserved('SKU-3', 1)];

describe('order placement, version 1: instances in flight finish on it', () => {
  it('confirms the order once every line is reserved, and completes when it is confirmed', () => {
    spec.given(allReserved.slice(0, 3)).when(reserved('SKU-3', 1)).thenIssues([confirm]);
    spec.given(allReserved).when(confirmed).thenCompleted();
  });

  it('releases what was reserved and rejects the order on a shortage', () => {
    const short = shortOf('SKU-2', 3, 5);
    spec
      .given([startedOnV1, reserved('SKU-1', 2), reserved('SKU-3', 1)])
      .when(rejected('SKU-2', 3, 5))
      .thenIssues([release('SKU-1'), release('SKU-3')]);
    const failed = [startedOnV1, reserved('SKU-1', 2), reserved('SKU-3', 1), rejected('SKU-2', 3, 5), released('SKU-1', 2)];
    spec
      .given(failed)
      .when(released('SKU-3', 1))
      .thenIssues([reject(short)]);
    spec
      .given([...failed, released('SKU-3', 1)])
      .when(rejectedOrder(short))
      .thenRolledBack(short);
  });
});
