import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileApiSource, isApiSource } from './decorator-metadata-hooks.ts';

const here = (file: string) => new URL(file, import.meta.url);

describe('the hooks that compile the API with decorator metadata', () => {
  it('write the constructor parameter types NestJS injects by, Object where a token is injected', () => {
    const file = fileURLToPath(here('./hosts/hosts.service.ts'));
    const code = compileApiSource(file, readFileSync(file, 'utf8'));
    const paramtypes = /"design:paramtypes", \[([^\]]*)\]/.exec(code)?.[1] ?? '';
    const types = paramtypes.split(',').map((t) => /(\w+)\s*$/.exec(t.trim())?.[1]);
    // HostsRepository, then ApiConfig (a type: @Inject(API_CONFIG) names the provider), then classes
    expect(types).toEqual(['HostsRepository', 'Object', 'AgentConnections', 'FleetCacheService']);
    expect(code).toContain('//# sourceMappingURL=data:application/json;base64,');
  });

  it('refuse a file that does not compile, naming it', () => {
    const compile = () => compileApiSource('/x/broken.ts', 'export class A {\n  constructor(private a: ) {}\n}\n');
    expect(compile).toThrow(/cannot compile \/x\/broken\.ts:\n.*Unexpected token/);
    expect(compile).toThrow(/broken\.ts:2:26/); // the line and column of the stray `)`
    expect(compile).not.toThrow(/\u001b\[/); // no terminal colours
  });

  it('take only the API’s own TypeScript modules', () => {
    expect(isApiSource(here('./hosts/hosts.service.ts').href)).toBe(true);
    expect(isApiSource(`${here('./app.ts').href}?tsx-namespace=1`)).toBe(true);
    expect(isApiSource(here('../../../packages/protocol/src/index.ts').href)).toBe(false);
    expect(isApiSource(here('./hosts/hosts.service.js').href)).toBe(false);
    expect(isApiSource(pathToFileURL('/tmp/apps/api/src/app.ts').href)).toBe(false);
    expect(isApiSource('node:fs')).toBe(false);
  });
});
