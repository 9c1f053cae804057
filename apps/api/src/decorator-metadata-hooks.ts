/**
 * Module hooks that compile the API's own TypeScript with the decorator metadata NestJS injects by.
 *
 * A constructor parameter such as `private readonly hosts: HostsRepository` is injected by its type,
 * which NestJS reads from the `design:paramtypes` metadata that `emitDecoratorMetadata`
 * (apps/api/tsconfig.json) asks the compiler to write. tsx compiles with esbuild, which never
 * writes that metadata, so main.ts registers these hooks before it imports the first decorated
 * class: every `.ts` file below apps/api/src is compiled here by Oxc (the compiler Vite and
 * vitest use, so tests and the running API see the same output), with apps/api/tsconfig.json's
 * options. Resolution and every other file stay with tsx.
 */
import { readFile } from 'node:fs/promises';
import type { LoadHook } from 'node:module';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { TsconfigCache, transformSync } from 'rolldown/utils';

const SOURCE_ROOT = new URL('./', import.meta.url);
const TSCONFIG = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
const tsconfigs = new TsconfigCache(TSCONFIG);

/** Whether `url` is one of the API's TypeScript modules (a query string, as loaders add, aside). */
export function isApiSource(url: string): boolean {
  if (!url.startsWith(SOURCE_ROOT.href)) return false;
  return new URL(url).pathname.endsWith('.ts');
}

/** Compiles one API module; a syntax error names the file, line and column (without terminal colours: it may go to a log). */
export function compileApiSource(filename: string, source: string): string {
  const result = transformSync(filename, source, { tsconfig: TSCONFIG, sourcemap: true }, tsconfigs);
  if (result.errors.length > 0) {
    const messages = result.errors.map((error) => stripVTControlCharacters(error.message)).join('\n');
    throw new SyntaxError(`cannot compile ${filename}:\n${messages}`);
  }
  const map = Buffer.from(JSON.stringify(result.map)).toString('base64');
  return `${result.code}\n//# sourceMappingURL=data:application/json;base64,${map}\n`;
}

export const load: LoadHook = async (url, context, nextLoad) => {
  if (!isApiSource(url)) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const source = await readFile(filename, 'utf8');
  return { format: 'module', source: compileApiSource(filename, source), shortCircuit: true };
};
