/**
 * Debian's nginx as a second, independent target: a real server none of us wrote. Each lab writes
 * its own configuration into a temp dir (pid file, logs and temp paths there too), starts nginx in
 * the foreground on 127.0.0.1 and a free port (another, if that one was taken in between), and
 * stops it. Its access log says what nginx itself saw of each request: status, protocol and TLS
 * version, the client certificate's verification, and the connection it came on. A lab may also speak HTTP/2 (TLS only) and
 * listen on a Unix socket in its dir, beside its port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './raw-servers.js';

export const NGINX = '/usr/sbin/nginx';

/** The body of every answer of the lab's server. */
export const NGINX_BODY = 'hello from nginx\n';

export interface NginxTls {
  cert: string;
  key: string;
  /** ask for a client certificate signed by this CA (ssl_verify_client on) */
  clientCa?: string;
  /** offer HTTP/2 through ALPN beside HTTP/1.1 */
  http2?: boolean;
}

export interface NginxOptions {
  /** listen on `unixSocket` too (a path in the lab's dir) */
  unixSocket?: boolean;
}

/** One line of the access log. */
export interface AccessEntry {
  status: number;
  /** `HTTP/1.1`, `HTTP/2.0` */
  protocol: string;
  /** `TLSv1.3`, or `-` over plain HTTP */
  tlsVersion: string;
  /** `SUCCESS`, `NONE`, `FAILED:...`, or `-` */
  clientVerify: string;
  /** nginx's serial number of the connection the request came on */
  connection: number;
  /** the path and query asked for */
  uri: string;
}

export interface NginxLab {
  /** `https://127.0.0.1:PORT` (or http), without a trailing slash */
  origin: string;
  port: number;
  dir: string;
  /** the Unix socket it listens on too, or null */
  unixSocket: string | null;
  /** what nginx logged so far, one entry per request it answered */
  accessLog(): Promise<AccessEntry[]>;
  /** what it said on its error log */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * How this nginx turns HTTP/2 on: a `http2` directive since 1.25.1, a parameter of `listen` before
 * (Debian 12 ships 1.22).
 */
function http2Directive(): { listen: string; server: string } {
  // nginx -v writes its version on stderr
  const said = spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr;
  const version = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(said);
  if (version === null) throw new Error(`nginx -v said no version: ${said}`);
  const [major, minor, patch] = version.slice(1).map(Number) as [number, number, number];
  const separate = major > 1 || minor > 25 || (minor === 25 && patch >= 1);
  return separate ? { listen: '', server: 'http2 on;' } : { listen: ' http2', server: '' };
}

function configuration(dir: string, port: number, tls: NginxTls | null, unixSocket: string | null): string {
  const http2 = tls?.http2 ? http2Directive() : { listen: '', server: '' };
  const ssl = tls
    ? [
        `ssl_certificate ${tls.cert};`,
        `ssl_certificate_key ${tls.key};`,
        ...(tls.clientCa ? [`ssl_client_certificate ${tls.clientCa};`, 'ssl_verify_client on;'] : []),
      ]
    : [];
  return `worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} info;
events { worker_connections 1024; }
http {
  log_format stress '$status $server_protocol $ssl_protocol $ssl_client_verify $connection $request_uri';
  access_log ${join(dir, 'access.log')} stress;
  client_body_temp_path ${join(dir, 'client-body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:${port}${tls ? ' ssl' : ''}${http2.listen};
    ${unixSocket === null ? '' : `listen unix:${unixSocket}${tls ? ' ssl' : ''}${http2.listen};`}
    ${http2.server}
    ${ssl.join('\n    ')}
    location / {
      default_type text/plain;
      return 200 '${NGINX_BODY.replace('\n', '\\n')}';
    }
  }
}
`;
}

/** Whether 127.0.0.1:`port` takes a connection now. */
function takesConnections(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Waits until nginx has written its pid file (it does once its sockets are bound) and the port
 * takes connections, or nginx exits (then: why). The pid file tells nginx's port from one another
 * process took meanwhile: nginx tries to bind for a few seconds before it gives up.
 */
async function listening(child: ChildProcess, port: number, pidFile: string, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`nginx exited (${child.exitCode ?? child.signalCode}): ${stderr()}`);
    if (existsSync(pidFile) && (await takesConnections(port))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  await exited(child);
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within 10 s: ${stderr()}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts nginx on 127.0.0.1 and a free port, with TLS when `tls` is given. */
export async function startNginx(tls: NginxTls | null, options: NginxOptions = {}): Promise<NginxLab> {
  const dir = await mkdtemp(join(tmpdir(), 'stress-nginx-'));
  const unixSocket = options.unixSocket ? join(dir, 'nginx.sock') : null;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = join(dir, 'nginx.conf');
    await writeFile(config, configuration(dir, port, tls, unixSocket));
    // -e: its error log from the first line on, not the system's; -p: no path outside `dir`
    const child = spawn(NGINX, ['-p', dir, '-c', config, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    try {
      await listening(child, port, join(dir, 'nginx.pid'), () => stderr);
    } catch (error) {
      await exited(child);
      const taken = /Address already in use/.test(`${stderr}${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`);
      if (taken && attempt < 5) continue;
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return {
      origin,
      port,
      dir,
      unixSocket,
      accessLog: async () => {
        const text = await readFile(join(dir, 'access.log'), 'utf8').catch(() => '');
        return text
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => {
            const [status, protocol, tlsVersion, clientVerify, connection, uri] = line.split(' ');
            return {
              status: Number(status),
              protocol: protocol!,
              tlsVersion: tlsVersion!,
              clientVerify: clientVerify!,
              connection: Number(connection),
              uri: uri!,
            };
          });
      },
      errorLog: () => readFile(join(dir, 'error.log'), 'utf8').catch(() => ''),
      stop: async () => {
        // SIGTERM: nginx's fast shutdown, its workers with it
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited(child);
        clearTimeout(killer);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
