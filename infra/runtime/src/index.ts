export { loadConfig, env, serviceConfigShape, ConfigError, type ConfigProblem } from './config';
export { roundRobin } from './round-robin';
export { createLogger, REDACTED_PATHS, type Logger, type LoggerSettings } from './logging';
export { runInWorkContext, currentWorkContext, type WorkContext } from './context';
export {
  startTracing,
  traceHeaders,
  contextFromCarrier,
  currentTraceIds,
  inSpan,
  tracedFetch,
  SpanKind,
  SpanStatusCode,
  otelContext,
  otelTrace,
  type Tracing,
  type TraceCarrier,
  type Context,
  type Span,
  type Tracer,
} from './tracing';
export { createMetrics, type ServiceMetrics } from './metrics';
export { createLifecycle, StartRefused, type Lifecycle, type LifecycleState } from './lifecycle';
export {
  quoteIdentifier,
  pgPoolSql,
  POOL_IDLE_CONNECTION_MS,
  pgliteSql,
  migrateOnce,
  type PgliteDatabase,
  type PgliteQueries,
  type SqlClient,
  type TransactionalSql,
  type SqlSession,
  type Query,
  type CopyingQuery,
} from './sql';
