// The dashboard's web page (page/): one HTML document at /dashboard and its script and
// stylesheet under /dashboard/assets/. They hold no data (the API guards that), so they are
// public. The page's TypeScript is bundled by esbuild in memory, once per process, when the
// routes are set up: `npm start` needs no build step, and nothing is written to disk.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { build } from 'esbuild';
import { z } from 'zod';
import { NotFound, type HttpServer } from '@ordo/http';

export const PAGE_PATH = '/dashboard';
const ASSETS_PATH = `${PAGE_PATH}/assets`;
const PAGE_SOURCES = path.resolve(__dirname, '../page');

/**
 * The page's Content-Security-Policy, in place of helmet's on its answers: its own script
 * and stylesheet only, no inline script or style, requests to this origin only (the API and
 * its event stream), and no framing.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  text: string;
  type: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

const assetOf = (text: string, type: string): Asset => ({ text, type, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"` });

/** Bundles page/main.tsx (with the stylesheets it imports) into app.js and app.css, in memory. */
const bundlePage = async (): Promise<Map<string, Asset>> => {
  const result = await build({
    absWorkingDir: PAGE_SOURCES,
    entryPoints: { app: 'main.tsx' },
    tsconfig: path.join(PAGE_SOURCES, 'tsconfig.json'),
    bundle: true,
    minify: true,
    write: false,
    outdir: 'out',
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'silent',
  });
  return new Map(result.outputFiles.map((file) => [path.basename(file.path), assetOf(file.text, CONTENT_TYPES[path.extname(file.path)] ?? 'text/plain')]));
};

let bundled: Promise<Map<string, Asset>> | undefined;

/** The page's assets, bundled on the first call and kept for the process's life (a failed bundle is tried again). */
export const pageAssets = (): Promise<Map<string, Asset>> => {
  bundled ??= bundlePage().catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  return bundled;
};

// No inline script or style: the CSP refuses them. The icon is an empty data: URL, so the
// browser asks the server for no /favicon.ico.
const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Saga dashboard · Ordo</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSETS_PATH}/app.css">
<script defer src="${ASSETS_PATH}/app.js"></script>
</head>
<body>
<noscript>The saga dashboard needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`;

const AssetParams = z.strictObject({ file: z.string().regex(/^[\w-]{1,60}\.(js|css)$/, 'an asset of the page: <name>.js or <name>.css') });
const tags = ['saga dashboard page'];

/** GET /dashboard and GET /dashboard/assets/:file; bundles the page before it returns. */
export const dashboardPageRoutes = async (app: HttpServer): Promise<void> => {
  const assets = await pageAssets();

  app.get(
    PAGE_PATH,
    {
      config: { access: 'public' },
      schema: { summary: 'The saga dashboard: a page that logs in with a token and shows what the API answers', tags, response: { 200: z.string() } },
    },
    async (_request, reply) => reply.header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8').send(HTML),
  );

  app.get(
    `${ASSETS_PATH}/:file`,
    {
      config: { access: 'public' },
      schema: {
        summary: "The page's script and stylesheet, bundled when the service started",
        tags,
        params: AssetParams,
        response: { 200: z.string(), 304: z.undefined() },
      },
    },
    async (request, reply) => {
      const asset = assets.get(request.params.file);
      if (!asset) throw new NotFound(`the page has no asset ${request.params.file}`);
      // Asked again on every load (a restart may have bundled a new page), answered 304 while unchanged.
      reply.header('content-security-policy', PAGE_CSP).header('cache-control', 'no-cache').header('etag', asset.etag);
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.type(asset.type).send(asset.text);
    },
  );
};
