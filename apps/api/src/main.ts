import { register } from 'node:module';

/**
 * API entry point: `node --import tsx apps/api/src/main.ts` with DATABASE_URL set (npm start sets
 * it). It registers the hooks that compile the API's modules with decorator metadata (NestJS injects
 * constructor parameters by their type; see decorator-metadata-hooks.ts), then starts the API from
 * serve.ts, whose imports load through those hooks.
 */
register('./decorator-metadata-hooks.ts', import.meta.url);
await import('./serve.ts');
