import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Comments, READMEs, docs and help texts may only name files that this repository has: a pointer
 * to a document outside it (or to a file since renamed) leaves every reader and user stranded.
 *
 * What counts as naming a file:
 * - a path that starts with one of the repository's top-level folders (`apps/…`, `docs/…`);
 * - any `NAME.md`;
 * - a relative Markdown link target in a `.md` file.
 * Paths that git ignores (build output such as `apps/web/dist`) are allowed; so are directories.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = path.relative(ROOT, fileURLToPath(import.meta.url));

function git(args: string[], input?: string): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
}

const TEXT_FILE = /\.(ts|tsx|mts|mjs|cjs|js|md|sh|yml|yaml|json|sql|prisma|service|html|css|toml|example)$|(^|\/)(Dockerfile|run)$/;

interface Reference {
  file: string;
  line: number;
  target: string;
}

function repositoryFiles(): string[] {
  return git(['ls-files', '--cached', '--others', '--exclude-standard', '-z'])
    .split('\0')
    .filter((f) => f && TEXT_FILE.test(f) && !f.endsWith('package-lock.json') && existsSync(path.join(ROOT, f)));
}

/** Every path prefix of every file: the directories a reference may name. */
function knownPaths(files: string[]): { paths: Set<string>; basenames: Set<string> } {
  const paths = new Set<string>();
  const basenames = new Set<string>();
  for (const file of files) {
    basenames.add(path.basename(file));
    const parts = file.split('/');
    for (let i = 1; i <= parts.length; i++) paths.add(parts.slice(0, i).join('/'));
  }
  return { paths, basenames };
}

function topLevelFolders(files: string[]): string[] {
  return [...new Set(files.filter((f) => f.includes('/')).map((f) => f.split('/')[0] ?? ''))];
}

function findReferences(files: string[]): Reference[] {
  const folders = topLevelFolders(files)
    .map((f) => f.replace(/[.]/g, '\\.'))
    .join('|');
  const repoPath = new RegExp(`(?<![\\w./@-])((?:\\.\\./)*(?:${folders})/[\\w./@-]*[\\w-])`, 'g');
  const markdownName = /(?<![\w./-])((?:\.{1,2}\/)*[\w./-]*[\w-]\.md)\b/g;
  const markdownLink = /\]\(([^)\s#]+)(?:#[^)]*)?\)/g;
  const found: Reference[] = [];
  for (const file of files) {
    if (file === SELF) continue;
    const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      const add = (target: string | undefined) => {
        if (target) found.push({ file, line: i + 1, target });
      };
      // `apiVersion: apps/v1` in a Kubernetes manifest names an API group, not the apps/ folder.
      if (!/^\s*apiVersion:\s/.test(text)) for (const m of text.matchAll(repoPath)) add(m[1]);
      for (const m of text.matchAll(markdownName)) add(m[1]);
      if (file.endsWith('.md')) {
        for (const m of text.matchAll(markdownLink)) if (!/^[a-z][a-z+.-]*:/i.test(m[1] ?? '')) add(m[1]);
      }
    });
  }
  return found;
}

/** Where a reference may point: from the repository root, or from the referring file's folder. */
function candidates(ref: Reference): string[] {
  const target = ref.target.replace(/\/$/, '');
  return [path.posix.normalize(target), path.posix.normalize(path.posix.join(path.posix.dirname(ref.file), target))].filter(
    (c) => c !== '..' && !c.startsWith('../'),
  );
}

const requireFromApi = createRequire(path.join(ROOT, 'apps/api/package.json'));

/** `prisma/config` in an import is a package's module, not the repository's prisma/ folder. */
function isPackageModule(target: string): boolean {
  try {
    requireFromApi.resolve(target);
    return true;
  } catch {
    return false;
  }
}

function resolves(ref: Reference, known: ReturnType<typeof knownPaths>): boolean {
  // A Kubernetes API group version (`apiVersion: apps/v1`), not the apps/ folder.
  if (/^apps\/v\d+$/.test(ref.target)) return true;
  if (candidates(ref).some((c) => known.paths.has(c))) return true;
  // A bare file name (no folder) is fine when the repository has a file of that name.
  const target = ref.target.replace(/\/$/, '');
  return !target.includes('/') && known.basenames.has(target);
}

/** Paths git ignores (build output): a file inside an ignored folder counts as ignored too. */
function ignoredByGit(paths: string[]): Set<string> {
  if (paths.length === 0) return new Set();
  const queries = paths.flatMap((p) => [p, `${p}/x`]);
  let out = '';
  try {
    out = git(['check-ignore', '--no-index', '--stdin'], queries.join('\n'));
  } catch (error) {
    // exit 1: none of them is ignored
    out = (error as { stdout?: string }).stdout ?? '';
  }
  return new Set(
    out
      .split('\n')
      .filter(Boolean)
      .map((p) => p.replace(/\/x$/, '')),
  );
}

describe('file references in comments, docs and help texts', () => {
  it('finds references at all (the scan itself works)', () => {
    const refs = findReferences(repositoryFiles());
    expect(refs.some((r) => r.file === 'README.md' && r.target === 'docs/protocol.md')).toBe(true);
    expect(refs.length).toBeGreaterThan(50);
  });

  it('names only files and folders that exist in the repository', () => {
    const files = repositoryFiles();
    const known = knownPaths(files);
    const unresolved = findReferences(files).filter((r) => !resolves(r, known) && !isPackageModule(r.target));
    const ignored = ignoredByGit([...new Set(unresolved.flatMap(candidates))]);
    const missing = unresolved.filter((r) => !candidates(r).some((c) => ignored.has(c)));
    expect(missing.map((r) => `${r.file}:${r.line} names ${r.target}`)).toEqual([]);
  });

  it('would catch a pointer outside the repository', () => {
    const known = knownPaths(repositoryFiles());
    const outside = ['..', 'shared', ['DOMAIN', 'md'].join('.')].join('/');
    expect(resolves({ file: 'README.md', line: 1, target: outside }, known)).toBe(false);
    expect(resolves({ file: 'README.md', line: 1, target: ['DESIGN', 'md'].join('.') }, known)).toBe(false);
    expect(resolves({ file: 'docs/protocol.md', line: 1, target: '../packages/protocol/src/messages.ts' }, known)).toBe(true);
  });
});
