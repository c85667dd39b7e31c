import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export interface ApiDescription {
  title: string;
  version: string;
  description?: string;
}

/** The OpenAPI document, generated from the routes' zod schemas: UI at /docs, JSON at /docs/json. */
export const openApiPlugin = fp(
  async (app: FastifyInstance, { api }: { api: ApiDescription }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: api,
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'ordo-openapi' },
);
