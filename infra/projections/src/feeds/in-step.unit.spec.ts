import { inStep, type Timed } from './in-step';

const at = (...times: number[]): Timed<string>[] => times.map((timestamp) => ({ message: `m@${timestamp}`, timestamp }));

describe('partitions read in step', () => {
  it('hold back what one partition fetched past the time the others have reached', () => {
    const fetched = inStep<string>(100);
    fetched.push('orders-0', at(1, 2, 3, 4, 5, 6));
    fetched.push('shipping-0', at(1, 2));
    expect(fetched.take(['orders-0', 'shipping-0'])).toEqual(['m@1', 'm@2', 'm@1', 'm@2']);
    expect(fetched.size).toBe(4);
    fetched.push('shipping-0', at(3, 4, 5));
    expect(fetched.take(['orders-0', 'shipping-0'])).toEqual(['m@3', 'm@4', 'm@5', 'm@3', 'm@4', 'm@5']);
    expect(fetched.size).toBe(1);
  });

  it('wait for a partition not fetched yet, and give everything once no partition is being read', () => {
    const fetched = inStep<string>(100);
    fetched.push('orders-0', at(1, 2));
    expect(fetched.take(['orders-0', 'payments-0'])).toEqual([]);
    // payments-0 reached its end without a message in range: it no longer holds the others.
    expect(fetched.take(['orders-0'])).toEqual(['m@1', 'm@2']);
    fetched.push('orders-0', at(9));
    expect(fetched.take([])).toEqual(['m@9']);
    expect(fetched.size).toBe(0);
  });

  it('keep a partition’s order when its times go back, and drain the one furthest behind whole', () => {
    const fetched = inStep<string>(100);
    fetched.push('orders-0', at(5, 3, 8));
    fetched.push('payments-0', at(6, 7, 9));
    // The horizon is 8, the latest time orders-0 reached: orders-0 drains whole, 9 waits.
    expect(fetched.take(['orders-0', 'payments-0'])).toEqual(['m@5', 'm@3', 'm@8', 'm@6', 'm@7']);
    expect(fetched.size).toBe(1);
  });

  it('let a message without a time go as soon as it is first in its partition', () => {
    const fetched = inStep<string>(100);
    fetched.push('orders-0', [{ message: 'untimed', timestamp: Number.NaN }, ...at(4)]);
    fetched.push('payments-0', at(2));
    expect(fetched.take(['orders-0', 'payments-0'])).toEqual(['untimed', 'm@2']);
  });

  it('is full at its bound and drained at half of it', () => {
    const fetched = inStep<string>(4);
    fetched.push('orders-0', at(1, 2, 3, 4));
    fetched.push('payments-0', at(2));
    expect(fetched.full('orders-0')).toBe(true);
    expect(fetched.drained('orders-0')).toBe(false);
    fetched.take(['orders-0', 'payments-0']);
    expect(fetched.full('orders-0')).toBe(false);
    expect(fetched.drained('orders-0')).toBe(true);
    expect(fetched.full('payments-0')).toBe(false);
  });
});
