import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll } from 'vitest';

/** A temporary folder for the files a test writes, removed after the file's tests. */
export function scratchFolder(prefix = 'tickertape-test-'): { path(name: string): string; write(name: string, content: string | Buffer): string; gzip(name: string, content: string): string } {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const path = (name: string): string => join(folder, name);
  return {
    path,
    write(name, content) {
      writeFileSync(path(name), content);
      return path(name);
    },
    gzip(name, content) {
      writeFileSync(path(name), gzipSync(content));
      return path(name);
    },
  };
}
