import path from 'node:path';
import express, { Router, type Response } from 'express';
import { buildOpenApiDocument } from './openapi';

/** Folder of the swagger-ui-dist package: the prebuilt Swagger UI bundle, CSS and icons. */
const swaggerUiFolder = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/**
 * The Swagger UI page. The asset URLs are relative, so the page must be served at `/docs/` with the
 * trailing slash. Scripts are files, not inline, so the page works under `script-src 'self'`.
 */
const docsPage = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Order-to-cash API</title>
    <link rel="stylesheet" type="text/css" href="./swagger-ui.css">
    <link rel="stylesheet" type="text/css" href="./index.css">
    <link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="./swagger-ui-bundle.js" charset="utf-8"></script>
    <script src="./swagger-initializer.js" charset="utf-8"></script>
  </body>
</html>
`;

/**
 * Replaces the package's swagger-initializer.js, which loads the Petstore example from the internet.
 * `validatorUrl: null` turns off the badge that sends the document to validator.swagger.io, and the base
 * layout leaves out the top bar where a reader could load another URL.
 */
const initializerScript = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: new URL('../openapi.json', window.location.href).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

/** Limits the page to this origin, so the browser itself blocks any request to a CDN or other host. */
const docsContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
  "form-action 'self'",
].join('; ');

function sendDocsPage(res: Response): void {
  res.set('Content-Security-Policy', docsContentSecurityPolicy).type('html').send(docsPage);
}

/**
 * GET /openapi.json: the OpenAPI 3.1 document, built once when the router is created. GET /docs: Swagger
 * UI for it, served from the swagger-ui-dist package with no request leaving this server.
 */
export function createOpenApiRouter(): Router {
  const router = Router();
  const documentJson = JSON.stringify(buildOpenApiDocument());

  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(documentJson);
  });

  // With Express's default non-strict routing, '/docs' matches both '/docs' and '/docs/'.
  router.get('/docs', (req, res) => {
    if (!req.path.endsWith('/')) {
      res.redirect(301, `${req.baseUrl}/docs/`);
      return;
    }
    sendDocsPage(res);
  });
  router.get('/docs/index.html', (_req, res) => sendDocsPage(res));
  router.get('/docs/swagger-initializer.js', (_req, res) => {
    res.type('application/javascript').send(initializerScript);
  });
  router.use('/docs', express.static(swaggerUiFolder, { index: false, redirect: false, fallthrough: true }));

  return router;
}
