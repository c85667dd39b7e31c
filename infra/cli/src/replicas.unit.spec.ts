import { InvalidArgumentError } from 'commander';
import { parseReplicas, serviceProcesses, urlsByService } from './replicas';

const SERVICES = ['catalog', 'orders', 'sagas'];
const portOf = (service: string) => 3001 + SERVICES.indexOf(service);

describe("local mode's replicas", () => {
  it('reads counts by service', () => {
    expect(parseReplicas(SERVICES)('orders=2, sagas=3')).toEqual(
      new Map([
        ['orders', 2],
        ['sagas', 3],
      ]),
    );
  });

  it.each([
    ['payroll=2', /'payroll' is no service of the shop: they are catalog, orders, sagas/],
    ['orders=0', /orders: the count is a whole number from 1 to 99, not '0'/],
    ['orders', /orders: the count is a whole number from 1 to 99, not ''/],
    ['orders=2,orders=3', /orders is given twice/],
  ])('refuses %s, naming what is wrong', (text, message) => {
    expect(() => parseReplicas(SERVICES)(text)).toThrow(InvalidArgumentError);
    expect(() => parseReplicas(SERVICES)(text)).toThrow(message);
  });

  it("runs the first replica of each service on its port, and the others after the last service's", () => {
    const processes = serviceProcesses(
      SERVICES,
      new Map([
        ['sagas', 2],
        ['orders', 3],
      ]),
      portOf,
    );
    expect(processes.map(({ name, port }) => `${name} ${port}`)).toEqual([
      'catalog 3001',
      'orders 3002',
      'sagas 3003',
      'orders#2 3004',
      'orders#3 3005',
      'sagas#2 3006',
    ]);
    expect(urlsByService(processes).get('orders')).toEqual(['http://127.0.0.1:3002', 'http://127.0.0.1:3004', 'http://127.0.0.1:3005']);
  });
});
