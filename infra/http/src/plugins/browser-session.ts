// Browser pages (the saga dashboard) log in once with a chassis token, which the server keeps
// in an HttpOnly cookie: no script on the page can read it. A browser sends cookies along
// with requests other sites make too, so: only routes declared `browser` take the cookie
// (auth.ts); SameSite=Strict keeps it off cross-site requests; and an unsafe method on a
// browser route refuses what another origin sent (Sec-Fetch-Site, Origin) and, from a
// session, a request without the session's CSRF token (@fastify/csrf-protection's double
// submit: a secret in its own HttpOnly cookie, a token derived from it in a header).
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { Forbidden } from '../problem';
import type { IdentifyToken } from './auth';

declare module 'fastify' {
  interface FastifyInstance {
    /** The caller a chassis token names: for a login route. */
    identifyToken: IdentifyToken;
  }
}

/** The header a page sends its session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** Cookies a page's session sets: HttpOnly, this site's only, `Secure` when the request came over HTTPS. */
export const SESSION_COOKIE_OPTIONS = { path: '/', sameSite: 'strict', httpOnly: true, secure: 'auto' } as const;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Sec-Fetch-Site values of a request the page itself made (or the user typed). */
const OWN_SITE = new Set(['same-origin', 'none']);

/** Refuses a request another origin made: what a browser says of it, else where it says it came from. */
export const refuseCrossSite = async (request: FastifyRequest): Promise<void> => {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && !OWN_SITE.has(site)) throw new Forbidden(`a ${site} request may not change anything here`);
  const origin = request.headers.origin;
  const own = `${request.protocol}://${request.host}`;
  if (origin !== undefined && origin !== own) throw new Forbidden(`a request from ${origin} may not change anything here (this is ${own})`);
};

export const browserSessionPlugin = fp(
  async (app: FastifyInstance, { identifyToken }: { identifyToken: IdentifyToken }) => {
    await app.register(cookie);
    await app.register(csrf, {
      sessionPlugin: '@fastify/cookie',
      cookieOpts: SESSION_COOKIE_OPTIONS,
      getToken: (request: FastifyRequest) => request.headers[CSRF_HEADER] as string | undefined,
    });
    app.decorate('identifyToken', identifyToken);
    // A caller with a bearer token sent it on purpose: only a session's request needs the CSRF token.
    const csrfFromSessions = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      if (request.credential?.via === 'session') app.csrfProtection(request, reply, done);
      else done();
    };
    // Route hooks run after the server's: by then auth has said how the caller came.
    app.addHook('onRoute', (route: RouteOptions) => {
      if (!route.config?.browser || [route.method].flat().every((method) => SAFE_METHODS.has(method))) return;
      route.onRequest = [...[route.onRequest ?? []].flat(), refuseCrossSite, csrfFromSessions];
    });
  },
  { name: 'ordo-browser-session' },
);
