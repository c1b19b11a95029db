/**
 * Every relative link in the README and the docs reaches a file that exists and, when it names a heading
 * (`file.md#heading`, `#heading`), a heading that file has, by GitHub's anchors. The docs link to each
 * other's sections by anchor, and an anchor breaks silently when a heading is reworded or moved.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import GithubSlugger from 'github-slugger';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

/** The Markdown a reader of the repository follows: the README, docs/ and the examples' READMEs. */
function markdownFiles(): string[] {
  const underDocs = readdirSync(join(REPO_ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join('docs', name));
  const examples = readdirSync(join(REPO_ROOT, 'examples'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('examples', name));
  return ['README.md', ...underDocs, ...examples];
}

interface Line {
  readonly number: number;
  readonly text: string;
}

/** The file's lines outside fenced code blocks, where `#` starts a heading and `[x](y)` is a link. */
function proseLines(file: string): Line[] {
  const lines: Line[] = [];
  let fence: string | undefined;
  readFileSync(join(REPO_ROOT, file), 'utf8')
    .split('\n')
    .forEach((text, index) => {
      const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
      if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
        fence = fence === undefined ? marker : undefined;
        return;
      }
      if (fence === undefined) lines.push({ number: index + 1, text });
    });
  return lines;
}

const anchorsByFile = new Map<string, Set<string>>();

/**
 * The anchors a Markdown file has: GitHub's for its headings (repeated headings get -1, -2...) and the
 * explicit ones, `<a id="...">`.
 */
function anchorsOf(file: string): Set<string> {
  let anchors = anchorsByFile.get(file);
  if (anchors === undefined) {
    const slugger = new GithubSlugger();
    anchors = new Set();
    for (const { text } of proseLines(file)) {
      for (const explicit of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(explicit[1]!);
      const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1];
      // GitHub slugs a heading's text as rendered: code spans and links by their text.
      if (heading !== undefined) anchors.add(slugger.slug(heading.replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')));
    }
    anchorsByFile.set(file, anchors);
  }
  return anchors;
}

/** Inline links and images, `[text](target)`, with targets that stay in the repository. */
function relativeLinks(file: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  for (const { number, text } of proseLines(file)) {
    // Code spans hold examples, not links.
    const prose = text.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1]!;
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push({ line: number, target });
    }
  }
  return links;
}

/** What is wrong with a link, or undefined when it resolves. */
function brokenBecause(file: string, target: string): string | undefined {
  const hash = target.indexOf('#');
  const path = hash === -1 ? target : target.slice(0, hash);
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const linked = path === '' ? file : relative(REPO_ROOT, join(REPO_ROOT, dirname(file), decodeURIComponent(path)));
  if (!existsSync(join(REPO_ROOT, linked))) return `no file ${linked}`;
  if (anchor === undefined || !linked.endsWith('.md')) return undefined;
  return anchorsOf(linked).has(anchor) ? undefined : `no heading #${anchor} in ${linked}`;
}

describe('the docs link to what exists', () => {
  const files = markdownFiles();

  test('the files are found (a walk that found none would check nothing)', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', join('docs', 'benchmarks.md'), join('docs', 'protocol.md')]));
    expect(relativeLinks('README.md').length).toBeGreaterThan(10);
  });

  test('GitHub anchors: code spans dropped, punctuation dropped, spaces to hyphens, repeats numbered', () => {
    const slugger = new GithubSlugger();
    expect(slugger.slug('wide: the default market, 5,000 clients x 50 symbols')).toBe('wide-the-default-market-5000-clients-x-50-symbols');
    expect(slugger.slug('Where wide stands')).toBe('where-wide-stands');
    expect(slugger.slug('Where wide stands')).toBe('where-wide-stands-1');
  });

  test.each(files)('%s', (file) => {
    const broken = relativeLinks(file).flatMap(({ line, target }) => {
      const reason = brokenBecause(file, target);
      return reason === undefined ? [] : [`${file}:${line}: (${target}) ${reason}`];
    });
    expect(broken).toEqual([]);
  });
});
