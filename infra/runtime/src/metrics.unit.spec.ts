import { createMetrics } from './metrics';

describe('createMetrics', () => {
  it('shows an observed request latency under the service, method, route and status', async () => {
    const { registry, httpRequestDuration } = createMetrics('orders', { processMetrics: false });
    httpRequestDuration.observe({ method: 'POST', route: '/orders', status_code: '201' }, 0.042);
    const text = await registry.metrics();
    const labels = 'service="orders",method="POST",route="/orders",status_code="201"';
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toContain(`http_request_duration_seconds_bucket{le="0.025",${labels}} 0`);
    expect(text).toContain(`http_request_duration_seconds_bucket{le="0.05",${labels}} 1`);
    expect(text).toContain(`http_request_duration_seconds_bucket{le="+Inf",${labels}} 1`);
    expect(text).toContain(`http_request_duration_seconds_sum{${labels}} 0.042`);
    expect(text).toContain(`http_request_duration_seconds_count{${labels}} 1`);
  });

  it('counts each route and status apart', async () => {
    const { registry, httpRequestDuration } = createMetrics('orders', { processMetrics: false });
    httpRequestDuration.observe({ method: 'GET', route: '/orders/:id', status_code: '200' }, 0.01);
    httpRequestDuration.observe({ method: 'GET', route: '/orders/:id', status_code: '200' }, 0.02);
    httpRequestDuration.observe({ method: 'GET', route: '/orders/:id', status_code: '404' }, 0.01);
    const text = await registry.metrics();
    expect(text).toContain('http_request_duration_seconds_count{service="orders",method="GET",route="/orders/:id",status_code="200"} 2');
    expect(text).toContain('http_request_duration_seconds_count{service="orders",method="GET",route="/orders/:id",status_code="404"} 1');
  });

  it('gives each service its own registry, so embedded services do not collide', async () => {
    const orders = createMetrics('orders', { processMetrics: false });
    const stock = createMetrics('stock', { processMetrics: false });
    stock.httpRequestDuration.observe({ method: 'POST', route: '/reservations', status_code: '201' }, 0.1);
    expect(await stock.registry.metrics()).toContain(
      'http_request_duration_seconds_count{service="stock",method="POST",route="/reservations",status_code="201"} 1',
    );
    expect(await orders.registry.metrics()).not.toContain('route="/reservations"');
  });

  it('includes process metrics, labelled with the service, unless told not to', async () => {
    const withProcess = await createMetrics('orders').registry.metrics();
    const without = await createMetrics('orders', { processMetrics: false }).registry.metrics();
    expect(withProcess).toMatch(/^process_cpu_user_seconds_total\{service="orders"\} \d/m);
    expect(withProcess).toMatch(/^nodejs_eventloop_lag_p99_seconds\{service="orders"\} \d/m);
    expect(without).not.toContain('process_cpu_user_seconds_total');
  });
});
