import { createHash } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { errorStatusesOf, withErrorResponses } from './error-docs';

export interface ApiDescription {
  title: string;
  version: string;
  description?: string;
}

type Transform = typeof jsonSchemaTransform;

// The zod schemas become JSON schemas first; then every route's error answers are added.
const transform: Transform = (input) => {
  const { schema: transformed, url } = jsonSchemaTransform(input);
  const schema = transformed ?? {};
  if (schema.hide) return { schema, url };
  const method = [input.route.method].flat()[0] ?? 'GET';
  const { access, errorStatuses } = input.route.config ?? {};
  const response = withErrorResponses(
    schema.response as Record<string, unknown> | undefined,
    errorStatusesOf({ method, url: input.route.url, access, errorStatuses }),
  );
  return { schema: { ...schema, response, ...(access && access !== 'public' ? { security: [{ bearer: [] }] } : {}) }, url };
};

// swagger-ui draws its small logo as an SVG carrying a <style> element of its own
// (swagger-api/swagger-ui#10655), which a CSP without 'unsafe-inline' refuses: its hash
// admits that one stylesheet and no other. The docs page's browser test fails if it changes.
const SWAGGER_LOGO_STYLE = '.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}';
const SWAGGER_LOGO_STYLE_HASH = `'sha256-${createHash('sha256').update(SWAGGER_LOGO_STYLE).digest('base64')}'`;

/** A service's last word on its document, once generated (the gateway merges its services' into it). */
export type OpenApiDocumentHook = (document: Record<string, unknown>) => Record<string, unknown>;

/** The OpenAPI document, generated from the routes' zod schemas: UI at /docs, JSON at /docs/json. */
export const openApiPlugin = fp(
  async (app: FastifyInstance, { api, finish }: { api: ApiDescription; finish?: OpenApiDocumentHook }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: api,
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
      transform,
      transformObject: (input) => {
        const document = jsonSchemaTransformObject(input);
        return finish ? (finish(document as Record<string, unknown>) as typeof document) : document;
      },
    });
    // Its own context, so that only its routes are declared public.
    await app.register(async (docs) => {
      docs.addHook('onRoute', (route) => {
        route.config = { ...route.config, access: 'public' };
      });
      await docs.register(swaggerUi, {
        routePrefix: '/docs',
        // swagger-ui's CSP (its scripts' hashes) replaces helmet's on its pages.
        staticCSP: true,
        transformStaticCSP: (header) =>
          header
            .replace(/\s*upgrade-insecure-requests;?/, '')
            .replace(/style-src\s([^;]*)/, (_, sources: string) => `style-src ${sources.trim()} ${SWAGGER_LOGO_STYLE_HASH}`),
      });
    });
  },
  { name: 'ordo-openapi' },
);
