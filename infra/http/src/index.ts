export { createHttpServer, type HttpServer, type HttpServerOptions } from './server';
export {
  toProblem,
  HttpProblem,
  BadRequest,
  Unauthorized,
  Forbidden,
  NotFound,
  Conflict,
  PreconditionFailed,
  UnprocessableContent,
  ServiceUnavailable,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  type FieldError,
  type ErrorMapping,
} from './problem';
export {
  awaitReadAfter,
  readAfterPosition,
  ReadModelBehind,
  READ_AFTER_HEADER,
  READ_AFTER_TIMEOUT_MS,
  readAfterConfigShape,
  type ReadAfterOptions,
} from './read-after';
export { formatETag, parseETag, setETag, expectedRevisionFromIfMatch, notModified, type StreamRevision } from './etag';
export { sqlIdempotencyStore, type IdempotencyStore, type StoredResponse, type Claim, type SqlIdempotencyStoreOptions } from './idempotency/store';
export { authTokensFromEnv, hasAccess, ROLES, ACCESS_LEVELS, SESSION_COOKIE, type Access, type Role, type Principal, type Credential } from './plugins/auth';
export { CSRF_HEADER, refuseCrossSite } from './plugins/browser-session';
export { browserSessionRoutes, type SessionRoutesOptions } from './session-routes';
export { DEFAULT_RATE_LIMIT, isServiceSubject, type RateLimitOptions } from './plugins/rate-limit';
export { errorStatusesOf, PROBLEM_JSON_SCHEMA } from './plugins/error-docs';
export { callerScope } from './caller';
export { printableText } from './text';
export { keysetCursor, type KeysetCursor } from './cursor';
export {
  serviceClient,
  DependencyUnavailable,
  type ServiceClient,
  type ServiceClientOptions,
  type ServiceAnswer,
  type CallOptions,
} from './client/service-client';
export type { ReadinessCheck } from './plugins/health';
export type { ApiDescription, OpenApiDocumentHook } from './plugins/openapi';

export {
  runHttpService,
  defineHttpService,
  exitOnStartFailure,
  httpConfigShape,
  type HttpServiceDefinition,
  type ServiceParts,
  type Chassis,
  type RunningHttpService,
} from './service';
export { settleDelays, SETTLE_WINDOW_MS, MIN_SETTLED, type SettleDelays } from './settle-delays';
export { commandContext, requestDerivedId, type RequestCommandContext } from './command-context';
