// A small service that exercises the whole chassis, for the tests of @ordo/http.
// It is not part of the shop; notes live in memory, idempotency keys in PostgreSQL.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { z } from 'zod';
import { env, tracedFetch } from '@ordo/runtime';
import {
  authTokensFromEnv,
  expectedRevisionFromIfMatch,
  NotFound,
  notModified,
  requestDerivedId,
  ServiceUnavailable,
  setETag,
  sqlIdempotencyStore,
  defineHttpService,
} from '../../src';

class RevisionConflict extends Error {}

interface Note {
  id: string;
  title: string;
  body: string;
  tags: string[];
  revision: bigint;
}

const NoteInput = z.strictObject({
  title: z.string().min(1).max(200),
  body: z.string().max(10_000),
  tags: z.array(z.string().min(1).max(30)).max(10).default([]),
});
const NoteView = z.object({ id: z.uuid(), title: z.string(), body: z.string(), tags: z.array(z.string()), revision: z.string() });
const NoteParams = z.strictObject({ id: z.uuid() });
const view = (note: Note) => ({ ...note, revision: String(note.revision) });
const streamOf = (id: string) => `note-${id}`;

export const notesService = defineHttpService({
  name: 'notes-example',
  api: { title: 'Notes (example)', version: '1.0.0', description: 'Exercises the Ordo HTTP chassis' },
  config: {
    DATABASE_URL: env.url(['postgres', 'postgresql']),
    DATABASE_SCHEMA: env.string().default('notes_example'),
    AUTH_TOKENS: authTokensFromEnv().default(new Map()),
    PUBLISH_URL: env.url(['http', 'https']).optional(),
  },

  setup: async ({ config, lifecycle, logger }) => {
    const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4 });
    lifecycle.onShutdown('postgres', () => pool.end());
    const notes = new Map<string, Note>();

    return {
      authTokens: config.AUTH_TOKENS,
      idempotency: sqlIdempotencyStore(pool, { schema: config.DATABASE_SCHEMA }),
      readinessChecks: { postgres: () => pool.query('select 1') },
      errorMappings: [{ error: RevisionConflict, status: 'concurrency' }],
      bodyLimit: 64 * 1024,

      routes: (app) => {
        // One route of each access level, so the tests can call each the wrong way.
        const write = { access: 'customer' } as const;
        const open = { access: 'public' } as const;

        app.post('/v1/notes', { config: write, schema: { body: NoteInput, response: { 201: NoteView } } }, async (request, reply) => {
          const note: Note = { id: randomUUID(), ...request.body, revision: 0n };
          notes.set(note.id, note);
          logger.info({ noteId: note.id }, 'note created');
          setETag(reply, { stream: streamOf(note.id), revision: note.revision });
          return reply.code(201).header('location', `/v1/notes/${note.id}`).send(view(note));
        });

        app.get(
          '/v1/notes',
          {
            config: open,
            schema: { querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20), tag: z.string().max(30).optional() }) },
          },
          async (request) => {
            const { limit, tag } = request.query;
            return [...notes.values()]
              .filter((note) => !tag || note.tags.includes(tag))
              .slice(0, limit)
              .map(view);
          },
        );

        app.get('/v1/notes/:id', { config: open, schema: { params: NoteParams, response: { 200: NoteView, 304: z.undefined() } } }, async (request, reply) => {
          const note = notes.get(request.params.id);
          if (!note) throw new NotFound(`no note ${request.params.id}`);
          const position = { stream: streamOf(note.id), revision: note.revision };
          setETag(reply, position);
          if (notModified(request, position)) return reply.code(304).send();
          return view(note);
        });

        app.put('/v1/notes/:id', { config: write, schema: { params: NoteParams, body: NoteInput, response: { 200: NoteView } } }, async (request, reply) => {
          const note = notes.get(request.params.id);
          if (!note) throw new NotFound(`no note ${request.params.id}`);
          const expected = expectedRevisionFromIfMatch(request, streamOf(note.id));
          if (typeof expected === 'bigint' && expected !== note.revision) {
            throw new RevisionConflict(`note ${note.id} is at revision ${note.revision}, not ${expected}`);
          }
          const updated = { ...note, ...request.body, revision: note.revision + 1n };
          notes.set(note.id, updated);
          setETag(reply, { stream: streamOf(note.id), revision: updated.revision });
          return view(updated);
        });

        // An outgoing call: the downstream sees this request's traceparent.
        app.post('/v1/notes/:id/publish', { config: { access: 'operator' }, schema: { params: NoteParams } }, async (request) => {
          const note = notes.get(request.params.id);
          if (!note) throw new NotFound(`no note ${request.params.id}`);
          if (!config.PUBLISH_URL) throw new ServiceUnavailable('no publisher is configured');
          const response = await tracedFetch(config.PUBLISH_URL, {
            method: 'POST',
            body: JSON.stringify(view(note)),
            headers: { 'content-type': 'application/json' },
            signal: AbortSignal.timeout(2_000),
          }).catch(() => {
            throw new ServiceUnavailable('the publisher did not answer');
          });
          if (!response.ok) throw new ServiceUnavailable(`the publisher answered ${response.status}`);
          return { published: note.id };
        });

        app.get('/v1/reports/notes', { config: { access: 'viewer' } }, async () => ({ notes: notes.size }));
        app.get('/v1/admin/stats', { config: { access: 'admin' } }, async () => ({ notes: notes.size }));

        // Anyone may start a draft; with an Idempotency-Key a retry gets the same id, and
        // two anonymous clients that pick the same key get two drafts.
        app.post('/v1/drafts', { config: open, schema: { body: z.strictObject({ title: z.string().max(200) }) } }, async (request, reply) => {
          return reply.code(201).send({ id: requestDerivedId(request, 'draft'), title: request.body.title });
        });

        // For the shutdown test: a request that is still running when SIGTERM arrives.
        app.get('/v1/slow', { config: open, schema: { querystring: z.strictObject({ ms: z.coerce.number().int().min(0).max(10_000) }) } }, async (request) => {
          await sleep(request.query.ms);
          return { waited: request.query.ms };
        });

        // For the error-shape test: a failure whose message must not reach the client.
        app.get('/v1/boom', { config: open }, async () => {
          throw new Error('database password is hunter2 and the table is notes_internal');
        });
      },
    };
  },
});
