/**
 * `--targets tickertape@REF`: tickertape as it was at a git commit, run beside the current code in the same
 * invocation, so a change's before and after are measured under the same machine load. The commit's
 * server, client and feeds are compiled with today's benchmark entry (bench/servers/), so REF must be a
 * commit that has the simulator's syntheticSymbols option.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SERVER_ENTRY_FILES = ['tickertape.ts', 'ipc.ts', 'process.ts', 'feed.ts', 'hub-flush.ts'];

/**
 * Compiles tickertape at `ref` (once per commit, and again when today's benchmark entry files differ from
 * the ones it was compiled with); returns the path of its benchmark server program.
 */
export function prepareBaseline(ref: string): string {
  const root = process.cwd();
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  let commit: string;
  try {
    commit = git('rev-parse', '--short', `${ref}^{commit}`);
  } catch {
    throw new Error(`"${ref}" is not a commit of this repository`);
  }
  const dir = join(root, '.tmp', 'bench-baseline', commit);
  const program = join(dir, 'out', 'bench', 'servers', 'tickertape.js');
  const src = join(dir, 'src');
  // The micro scenario also runs the commit's hub-flush.js, beside it: a cache without it is built again.
  const compiled = existsSync(program) && existsSync(join(dir, 'out', 'bench', 'servers', 'hub-flush.js'));
  if (compiled && SERVER_ENTRY_FILES.every((file) => sameFile(join(src, 'bench', 'servers', file), join(root, 'bench', 'servers', file)))) {
    return program;
  }
  mkdirSync(join(src, 'bench', 'servers'), { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} server client feeds ':!*.test.ts' | tar -x -C "${src}"`], { cwd: root });
  for (const file of SERVER_ENTRY_FILES) copyFileSync(join(root, 'bench', 'servers', file), join(src, 'bench', 'servers', file));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { noEmit: false, rootDir: 'src', outDir: 'out', lib: ['ES2023', 'DOM'] },
      include: ['src/bench/servers'],
    }),
  );
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
  return program;
}

function sameFile(copy: string, original: string): boolean {
  return existsSync(copy) && readFileSync(copy, 'utf8') === readFileSync(original, 'utf8');
}
