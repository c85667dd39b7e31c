// Stands in for @fastify/swagger-ui inside jest only: it requires ES-module-only
// packages (content-disposition 3), which jest's CommonJS sandbox cannot load on
// Node 20. The OpenAPI document itself (@fastify/swagger) is real in every test, and
// the end-to-end tests, which run services as processes, serve the real UI.
const swaggerUiStub = async (): Promise<void> => undefined;
export default swaggerUiStub;
