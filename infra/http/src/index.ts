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
export { formatETag, parseETag, setETag, expectedRevisionFromIfMatch, notModified, type StreamRevision } from './etag';
export { sqlIdempotencyStore, type IdempotencyStore, type StoredResponse, type Claim, type SqlIdempotencyStoreOptions } from './idempotency/store';
export { authTokensFromEnv, type Principal } from './plugins/auth';
export type { ReadinessCheck } from './plugins/health';
export type { ApiDescription } from './plugins/openapi';

export { runHttpService, defineHttpService, exitOnStartFailure, type HttpServiceDefinition, type ServiceParts, type Chassis, type RunningHttpService } from './service';
export { commandContext, requestDerivedId, type RequestCommandContext } from './command-context';
