import { applyDecorators, type INestApplication } from '@nestjs/common';
import {
  ApiBody,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
  DocumentBuilder,
  SwaggerModule,
} from '@nestjs/swagger';
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

/** An error status of an endpoint, alone or with what it means there. */
export type ErrorDoc = number | readonly [status: number, description: string];

const errorResponses = (errors: readonly ErrorDoc[]) =>
  errors.map((e) =>
    typeof e === 'number'
      ? ApiResponse({ status: e, schema: errorRef })
      : ApiResponse({ status: e[0], description: e[1], schema: errorRef }),
  );

/** A controller of signed-in routes: its tag in the docs, the session cookie, and the 401 every route may answer. */
export function ApiSignedIn(tag: string): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ApiTags(tag),
    ApiCookieAuth('session'),
    ApiResponse({ status: 401, description: 'Not signed in', schema: errorRef }),
  );
}

/**
 * Documents one endpoint: summary and description, the request body, the success (`ok`, or
 * `noContent` for a 204) and the error statuses.
 */
export function ApiEndpoint(doc: {
  summary: string;
  description?: string;
  body?: { $ref: string };
  ok?: { $ref: string };
  noContent?: boolean;
  errors?: readonly ErrorDoc[];
}): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary: doc.summary, ...(doc.description === undefined ? {} : { description: doc.description }) }),
    ...(doc.body ? [ApiBody({ schema: doc.body })] : []),
    ...(doc.ok ? [ApiOkResponse({ schema: doc.ok })] : []),
    ...(doc.noContent ? [ApiNoContentResponse({ description: 'Deleted' })] : []),
    ...errorResponses(doc.errors ?? []),
  );
}

/**
 * The `:id` of a host route: a UUID, 400 when it is not one (`badRequest` where the route refuses
 * more than that), 404 when no host has it.
 */
export function ApiHostId(badRequest = 'Not a host id'): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiParam({ name: 'id', description: 'Host id (UUID)', schema: { type: 'string', format: 'uuid' } }),
    ...errorResponses([
      [400, badRequest],
      [404, 'No such host'],
    ]),
  );
}

const DOCS_PATH = 'api/docs';

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
