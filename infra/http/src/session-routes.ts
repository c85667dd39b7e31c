// A browser page's login (plugins/browser-session.ts): a chassis token in, an HttpOnly session
// cookie and a CSRF token out. The page keeps the CSRF token in memory and sends it with
// every change; after a reload it asks for its session again.
import { z } from 'zod';
import { SESSION_COOKIE, hasAccess, ROLES, type Role } from './plugins/auth';
import { SESSION_COOKIE_OPTIONS } from './plugins/browser-session';
import { Forbidden, Unauthorized } from './problem';
import type { HttpServer } from './server';

/** How long a session lasts: a working day. The token itself stays valid; only the cookie ends. */
const SESSION_MAX_AGE_S = 8 * 60 * 60;

/** The cookie @fastify/csrf-protection keeps its secret in. */
const CSRF_SECRET_COOKIE = '_csrf';

const SessionView = z.object({
  subject: z.string(),
  roles: z.array(z.enum(ROLES)),
  csrfToken: z.string().describe('send it in X-CSRF-Token with every POST of this session'),
});
// What AUTH_TOKENS can hold: visible ASCII without its separators (',' and ':').
const Token = z
  .string()
  .regex(/^[\x21-\x2b\x2d-\x39\x3b-\x7e]{1,1000}$/, 'a token: 1 to 1,000 visible ASCII characters, no comma or colon')
  .describe('a bearer token of the service (AUTH_TOKENS)');
const Login = z.strictObject({ token: Token });

export interface SessionRoutesOptions {
  /** Where the routes live: `<prefix>/session`. */
  prefix: string;
  /** The least role that may log in: a token below it is refused at once. */
  minimumRole: Role;
}

/** `POST <prefix>/session` logs in, `GET` says who is logged in, `DELETE` logs out. */
export const browserSessionRoutes =
  ({ prefix, minimumRole }: SessionRoutesOptions) =>
  (app: HttpServer): void => {
    const path = `${prefix}/session`;
    app.post(
      path,
      {
        config: { access: 'public', browser: true, errorStatuses: [401, 403] },
        schema: { summary: 'Logs a browser in with a token: sets the HttpOnly session cookie', tags: ['session'], body: Login, response: { 200: SessionView } },
      },
      async (request, reply) => {
        const principal = app.identifyToken(request.body.token);
        if (!principal) throw new Unauthorized('that token is not one this service admits');
        if (!hasAccess(principal, minimumRole)) throw new Forbidden(`this page needs the role ${minimumRole} or a higher one`);
        reply.setCookie(SESSION_COOKIE, request.body.token, { ...SESSION_COOKIE_OPTIONS, maxAge: SESSION_MAX_AGE_S });
        return { ...principal, csrfToken: reply.generateCsrf() };
      },
    );
    app.get(
      path,
      {
        config: { access: minimumRole, browser: true },
        schema: { summary: "Who this browser's session is, with a fresh CSRF token", tags: ['session'], response: { 200: SessionView } },
      },
      // The route's access has set the principal before the handler runs.
      async (request, reply) => ({ ...(request.principal ?? { subject: '', roles: [] }), csrfToken: reply.generateCsrf() }),
    );
    app.delete(
      path,
      {
        config: { access: 'public', browser: true },
        schema: { summary: 'Logs the browser out: clears its cookies', tags: ['session'], response: { 204: z.undefined() } },
      },
      async (_request, reply) => {
        reply.clearCookie(SESSION_COOKIE, SESSION_COOKIE_OPTIONS).clearCookie(CSRF_SECRET_COOKIE, SESSION_COOKIE_OPTIONS);
        return reply.code(204).send();
      },
    );
  };
