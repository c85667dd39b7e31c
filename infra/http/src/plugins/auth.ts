import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Forbidden, Unauthorized } from '../problem';

/** The fixed, ranked roles: each includes every role before it. */
export const ROLES = ['customer', 'viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** Who may call a route: anyone, or a caller holding this role or a higher one. */
export type Access = 'public' | Role;
export const ACCESS_LEVELS: readonly Access[] = ['public', ...ROLES];

export interface Principal {
  subject: string;
  roles: Role[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, when it sent a valid bearer token; set on public routes too. */
    principal?: Principal;
    /** How the caller's token came: the Authorization header, or a browser route's session cookie. */
    credential?: Credential;
  }
  interface FastifyContextConfig {
    /** Every route declares it; a route registered without it is refused. */
    access?: Access;
    /**
     * Error statuses the handler answers beyond those `errorStatusesOf` derives from the
     * route, for its OpenAPI document: e.g. 403 from a per-resource check on a public route.
     */
    errorStatuses?: readonly number[];
    /**
     * A route a browser page calls (browser-session.ts): beside the Authorization header it
     * takes the session cookie, and its unsafe methods refuse cross-site requests and, from
     * a session, a missing or wrong CSRF token.
     */
    browser?: boolean;
  }
}

/** The token a caller identified with, and where it was: forwarded when a service acts for its caller. */
export interface Credential {
  token: string;
  via: 'header' | 'session';
}

/** The session cookie's name: it holds the caller's token, HttpOnly, for browser routes only. */
export const SESSION_COOKIE = 'ordo_session';

const rank = (level: Access): number => ACCESS_LEVELS.indexOf(level);

/** True when the caller may do what `level` guards: for handlers that decide per resource. */
export const hasAccess = (principal: Principal | undefined, level: Access): boolean =>
  level === 'public' || (principal !== undefined && principal.roles.some((role) => rank(role) >= rank(level)));

const FORMAT_MESSAGE = 'expected comma-separated subject:token:role+role entries';
const isRole = (text: string): text is Role => (ROLES as readonly string[]).includes(text);

/**
 * `AUTH_TOKENS`: comma-separated `subject:token:role+role` entries, e.g.
 * `ops:s3cret:admin,shop:t0ken:customer`. Roles are those of `ROLES`; any other is refused.
 */
export const authTokensFromEnv = () =>
  z.string().transform((text, ctx) => {
    const tokens = new Map<string, Principal>();
    for (const entry of text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)) {
      const [subject, token, roleList, ...rest] = entry.split(':');
      if (!subject || !token || roleList === undefined || rest.length > 0) {
        ctx.addIssue({ code: 'custom', message: FORMAT_MESSAGE });
        return z.NEVER;
      }
      const roles = roleList.split('+').filter(Boolean);
      const unknown = roles.filter((role) => !isRole(role));
      if (roles.length === 0 || unknown.length > 0) {
        // The subject, never the token, names the bad entry.
        ctx.addIssue({ code: 'custom', message: `${subject}: expected roles among ${ROLES.join(', ')} joined by '+' (got ${JSON.stringify(roleList)})` });
        return z.NEVER;
      }
      tokens.set(token, { subject, roles: roles.filter(isRole) });
    }
    return tokens;
  });

// Looked up by digest: a map lookup compares the digests, so how long it takes says
// nothing about how much of a guessed token was right.
const digest = (token: string) => createHash('sha256').update(token).digest('base64');

/** The caller a token names, or undefined for an unknown one. */
export type IdentifyToken = (token: string) => Principal | undefined;

export const tokenIdentifier = (tokens: ReadonlyMap<string, Principal>): IdentifyToken => {
  const byDigest = new Map([...tokens].map(([token, principal]) => [digest(token), principal]));
  return (token) => byDigest.get(digest(token));
};

/** Who sent a request and with what: undefined without a credential; an invalid one throws 401. */
export type IdentifyCaller = (request: FastifyRequest) => { principal: Principal; credential: Credential } | undefined;

/**
 * The Authorization header's bearer token; on a browser route that is not public, without
 * that header, the session cookie's (a public route has no use for who calls it, and a
 * stale cookie must not stop a login).
 */
export const callerIdentifier = (identifyToken: IdentifyToken): IdentifyCaller => {
  return (request) => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const principal = match?.[1] ? identifyToken(match[1]) : undefined;
      if (!principal || !match?.[1]) throw new Unauthorized('the Authorization header does not carry a valid bearer token');
      return { principal, credential: { token: match[1], via: 'header' } };
    }
    const config = request.routeOptions.config;
    const cookie = config?.browser && config.access !== 'public' ? request.cookies?.[SESSION_COOKIE] : undefined;
    if (cookie === undefined) return undefined;
    const principal = identifyToken(cookie);
    if (!principal) throw new Unauthorized('the session is no longer valid: log in again');
    return { principal, credential: { token: cookie, via: 'session' } };
  };
};

/**
 * Bearer tokens from configuration, checked on every request: an invalid token is 401
 * on any route, no token is 401 on a route that is not public, too low a role is 403.
 * With no tokens configured every route that is not public refuses.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, { identify }: { identify: IdentifyCaller }) => {
    app.addHook('onRequest', async (request, reply) => {
      // A request that matched no route (a 404, a 405) has nothing to guard; a route
      // that slipped past the declaration check is guarded as tightly as possible.
      const access: Access = request.routeOptions.url === undefined ? 'public' : (request.routeOptions.config?.access ?? 'admin');
      let caller: ReturnType<IdentifyCaller>;
      try {
        caller = identify(request);
      } catch (error) {
        reply.header('www-authenticate', 'Bearer error="invalid_token"');
        throw error;
      }
      const principal = caller?.principal;
      if (caller) {
        request.principal = caller.principal;
        request.credential = caller.credential;
      }
      if (hasAccess(principal, access)) return;
      if (!principal) {
        reply.header('www-authenticate', 'Bearer');
        throw new Unauthorized();
      }
      throw new Forbidden(`this route needs the role ${access} or a higher one`);
    });
  },
  { name: 'ordo-auth' },
);

/**
 * For an onRoute hook: refuses, at registration, a route that does not declare who may
 * call it, so none is forgotten.
 */
export const refuseUndeclaredAccess = (route: { method: string | string[]; url: string; config?: { access?: Access } }): void => {
  const access = route.config?.access;
  if (access === undefined || !ACCESS_LEVELS.includes(access)) {
    throw new Error(
      `route ${[route.method].flat().join(',')} ${route.url} declares no access: add config: { access: ${ACCESS_LEVELS.map((level) => `'${level}'`).join(' | ')} }`,
    );
  }
};
