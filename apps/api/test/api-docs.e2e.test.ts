import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from './support/api-harness.ts';

interface Operation {
  summary?: string;
  responses?: Record<string, { content?: { 'application/json'?: { schema?: unknown }; 'text/plain'?: { schema?: unknown } } }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

describe('OpenAPI docs at /api/docs', () => {
  let h: ApiHarness;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    h = await startApiHarness();
    const res = await fetch(`${h.api.url}/api/docs-json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as OpenApiDocument;
  });
  afterAll(async () => h?.stop());

  it('serves the docs page without sign-in', async () => {
    const page = await fetch(`${h.api.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });

  it('lists the sign-in, host, fleet, history and health endpoints', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /api/auth/login',
        'POST /api/auth/logout',
        'GET /api/auth/me',
        'GET /api/fleet',
        'GET /api/hosts/{id}',
        'GET /api/hosts/{id}/history',
        'GET /api/hosts/{id}/detail',
        'GET /api/health',
      ]),
    );
    // the ranking has one endpoint: GET /api/fleet
    expect(operations).not.toContain('GET /api/hosts');
  });

  it('describes every operation with a summary and a typed success response', () => {
    const problems: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (!op.summary) problems.push(`${name}: no summary`);
        const success = Object.entries(op.responses ?? {}).filter(([status]) => status.startsWith('2'));
        if (success.length === 0) problems.push(`${name}: no success response`);
        for (const [status, response] of success) {
          // text/plain: the Prometheus exposition of /metrics
          const schema = response.content?.['application/json']?.schema ?? response.content?.['text/plain']?.schema;
          if (status !== '204' && !schema) problems.push(`${name}: ${status} without a schema`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('generates the body schemas from the protocol, with their fields', () => {
    const history = doc.components.schemas.HostHistory as { properties: Record<string, unknown> };
    expect(Object.keys(history.properties)).toEqual(expect.arrayContaining(['t', 'pressure', 'tuples', 'states', 'gaps']));
    const fleet = doc.components.schemas.Fleet as { properties: Record<string, unknown> };
    expect(Object.keys(fleet.properties)).toEqual(['serverTime', 'offlineAfterSeconds', 'hosts']);
  });
});
