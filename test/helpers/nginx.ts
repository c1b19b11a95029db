/**
 * Debian's nginx, run by a test in front of tickertape with a configuration taken verbatim from the docs
 * (docs/operations.md, docs/deploy.md): the configuration the docs show is the one that is tested.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';
import { killGroup, spawnOwned } from './owned-processes.js';

export const NGINX = '/usr/sbin/nginx';

/** Why nginx tests cannot run here, or undefined when they can. */
export function nginxMissing(): string | undefined {
  if (existsSync(NGINX) && existsSync('/usr/bin/openssl')) return undefined;
  return 'install nginx and openssl (apt-get install -y nginx openssl)';
}

/** The ```nginx block between `<!-- NAME:start -->` and `<!-- NAME:end -->` in `doc` (relative to the repository). */
export function documentedNginxConfig(doc: string, name: string): string {
  const text = readFileSync(join(REPO_ROOT, doc), 'utf8');
  const match = new RegExp(`<!-- ${name}:start -->\\s*\`\`\`nginx\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:end -->`).exec(text);
  if (match === null) throw new Error(`${doc} has no ${name} block`);
  return match[1]!;
}

/** Writes a self-signed certificate for localhost to DIR/fullchain.pem and DIR/privkey.pem; returns it (the CA to trust). */
export function selfSignedCertificate(dir: string): Buffer {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
      '-keyout', join(dir, 'privkey.pem'), '-out', join(dir, 'fullchain.pem')],
    { stdio: 'ignore' },
  );
  return readFileSync(join(dir, 'fullchain.pem'));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** nginx in the foreground with `site` as its `http` block's contents, everything under `dir`. */
export class Nginx {
  private constructor(
    private readonly process: ChildProcess,
    readonly dir: string,
  ) {}

  /** Starts it and resolves once it accepts connections on `port` (the one `site` listens on). */
  static async start(dir: string, site: string, port: number): Promise<Nginx> {
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${dir}/${kind};\n`).join('');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off;\nmaster_process off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents { worker_connections 256; }\n` +
        `http {\n  access_log off;\n${temp}${site}\n}\n`,
    );
    const child = spawnOwned(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'ignore' });
    const nginx = new Nginx(child, dir);
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        killGroup(child);
        throw new Error(`nginx did not come up:\n${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return nginx;
  }

  stop(): void {
    killGroup(this.process);
  }
}
