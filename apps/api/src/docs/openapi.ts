import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SESSION_COOKIE, apiErrorSchema } from '@portpressure/protocol';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

// Nest's Swagger plugin infers types from TypeScript metadata, which this project does not emit
// (tsx, no emitDecoratorMetadata). The protocol's zod schemas are the contract anyway, so every
// documented body is generated from them: the docs cannot drift from what the API validates.
const components = new Map<string, JsonSchema>();

/**
 * Registers a protocol schema under `name` in the OpenAPI components and returns a `$ref` to it,
 * for @ApiOkResponse({ schema }) and @ApiBody({ schema }). `input` documents what a request may
 * omit (defaults), `output` what a response always carries.
 */
export function schemaRef(name: string, schema: z.ZodType, io: 'input' | 'output' = 'output'): { $ref: string } {
  if (!components.has(name)) {
    components.set(name, z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as JsonSchema);
  }
  return { $ref: `#/components/schemas/${name}` };
}

/** The error body every 4xx/5xx carries, for @ApiResponse({ status, schema: errorRef }). */
export const errorRef = schemaRef('ApiError', apiErrorSchema);

export const DOCS_PATH = 'api/docs';

/** Serves the OpenAPI document at /api/docs (UI) and /api/docs-json, both without sign-in. */
export function setupApiDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Portpressure API')
    .setDescription(
      'REST API of Portpressure. Every endpoint except /api/health and /api/auth/login needs the session cookie ' +
        `that POST /api/auth/login sets (${SESSION_COOKIE}). Live updates: WebSocket /ws/live (same cookie). ` +
        'Agents connect to /ws/agent with their own credentials. Scripts use an API token instead of the cookie: ' +
        '`Authorization: Bearer ppt_…` works on every route and on /metrics; a read-only token may only read.',
    )
    .setVersion('1')
    .addCookieAuth(SESSION_COOKIE, { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE }, 'session')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'An API token (ppt_…) from /api/tokens: read tokens may only GET' },
      'token',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // Either credential works on every route that is not public (AuthGuard).
  document.security = [{ session: [] }, { token: [] }];
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...Object.fromEntries(components) },
  };
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json`, customSiteTitle: 'Portpressure API' });
}
