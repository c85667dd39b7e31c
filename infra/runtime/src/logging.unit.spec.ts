import { runInWorkContext } from './context';
import { createLogger, REDACTED_PATHS } from './logging';
import { inSpan, startTracing } from './tracing';

// Given a logger writing to a captured destination, when something is logged, then
// these JSON lines.
const capture = (level?: string) => {
  const raw: string[] = [];
  const logger = createLogger({ service: 'orders', level, destination: { write: (line: string) => void raw.push(line) } });
  const lines = () => raw.map((line): Record<string, unknown> => JSON.parse(line));
  return { logger, raw, lines };
};

describe('createLogger', () => {
  it('writes JSON lines, each with the service name, level and ISO time', () => {
    const { logger, lines } = capture();
    logger.info('started');
    logger.warn({ orderId: 'order-1' }, 'slow');
    expect(lines()).toEqual([
      expect.objectContaining({ service: 'orders', level: 30, msg: 'started', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) }),
      expect.objectContaining({ service: 'orders', level: 40, msg: 'slow', orderId: 'order-1' }),
    ]);
  });

  it('drops lines below its level', () => {
    const { logger, lines } = capture('warn');
    logger.info('chatter');
    logger.error('broken');
    expect(lines().map((line) => line.msg)).toEqual(['broken']);
  });

  it('adds the correlation id of the work in progress, and none outside it', async () => {
    const { logger, lines } = capture();
    await runInWorkContext({ correlationId: 'corr-1' }, async () => {
      await Promise.resolve();
      logger.info('inside');
    });
    logger.info('outside');
    const [inside, outside] = lines();
    expect(inside).toMatchObject({ msg: 'inside', correlationId: 'corr-1' });
    expect(outside).not.toHaveProperty('correlationId');
  });

  it('adds the trace and span ids of the active span, and none outside it', async () => {
    const { tracer } = startTracing('test');
    const { logger, lines } = capture();
    const ids = await inSpan(tracer, 'work', {}, async (span) => {
      logger.info('inside');
      return span.spanContext();
    });
    logger.info('outside');
    const [inside, outside] = lines();
    expect(inside).toMatchObject({ msg: 'inside', traceId: ids.traceId, spanId: ids.spanId });
    expect(outside).not.toHaveProperty('traceId');
    expect(outside).not.toHaveProperty('spanId');
  });
});

describe('redaction', () => {
  it('covers the credentials and card data Ordo logs', () => {
    expect(REDACTED_PATHS).toEqual(
      expect.arrayContaining([
        'password',
        '*.password',
        'headers.authorization',
        '*.headers.authorization',
        '*.headers.cookie',
        '*.card',
        '*.cardNumber',
        '*.cvv',
      ]),
    );
  });

  it('prints secrets at the listed paths as [redacted], keeping what is beside them', () => {
    const { logger, raw, lines } = capture();
    logger.info(
      {
        password: 'hunter2',
        user: { name: 'ada', password: 'hunter3', token: 'tok-1', apiKey: 'key-1' },
        req: { method: 'POST', headers: { authorization: 'Bearer abc.def', cookie: 'sid=s3ss10n', accept: 'application/json' } },
        payment: { cardNumber: '4242424242424242', cvv: '123', cvc: '456', amount: 1200 },
        card: { number: '4000056655665556', expiry: '12/30' },
      },
      'paying',
    );
    expect(lines()[0]).toMatchObject({
      password: '[redacted]',
      user: { name: 'ada', password: '[redacted]', token: '[redacted]', apiKey: '[redacted]' },
      req: { method: 'POST', headers: { authorization: '[redacted]', cookie: '[redacted]', accept: 'application/json' } },
      payment: { cardNumber: '[redacted]', cvv: '[redacted]', cvc: '[redacted]', amount: 1200 },
      card: '[redacted]',
    });
    for (const secret of ['hunter', 'tok-1', 'key-1', 'abc.def', 's3ss10n', '4242424242424242', '4000056655665556', '12/30', '"123"', '"456"']) {
      expect(raw.join('')).not.toContain(secret);
    }
  });

  it('redacts a top-level authorization header as well as a nested one', () => {
    const { logger, lines } = capture();
    logger.info({ headers: { authorization: 'Basic b3Jkbzpw' }, authorization: 'Bearer xyz' }, 'outgoing call');
    expect(lines()[0]).toMatchObject({ headers: { authorization: '[redacted]' }, authorization: '[redacted]' });
  });
});
