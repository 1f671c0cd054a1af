// A throwaway npm registry: Verdaccio on 127.0.0.1, storage in a temporary folder, the public npm
// registry as uplink (so @tensorflow/tfjs and other peers resolve), @spikeflow/* served only from
// what is published to it. stop() ends the process and checks that the port is closed again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './workspaces.js';

export interface Registry {
  url: string;
  port: number;
  pid: number;
  /** An .npmrc line that authenticates publishes to this registry. */
  authLine: string;
  logFile: string;
  stop(): Promise<void>;
}

const verdaccioBin = join(repoRoot, 'node_modules/verdaccio/bin/verdaccio');
const UPLINK = process.env.SPIKEFLOW_TEST_UPLINK ?? 'https://registry.npmjs.org/';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function config(storage: string): string {
  return `storage: ${JSON.stringify(storage)}
auth:
  htpasswd:
    file: ${JSON.stringify(join(storage, '..', 'htpasswd'))}
    max_users: 10
uplinks:
  npmjs:
    url: ${JSON.stringify(UPLINK)}
    timeout: 60s
    maxage: 30m
packages:
  '@spikeflow/*':
    access: $all
    publish: $authenticated
  '**':
    access: $all
    publish: $authenticated
    proxy: npmjs
server:
  keepAliveTimeout: 60
log: { type: stdout, format: pretty, level: warn }
`;
}

/** Starts Verdaccio in `dir` (config, storage and log live there) and registers a publishing user. */
export async function startRegistry(dir: string): Promise<Registry> {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, config(join(dir, 'storage')));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const logFile = join(dir, 'verdaccio.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [verdaccioBin, '--config', configFile, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', log, log],
  });
  const pid = child.pid as number;
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await Promise.race([exit, sleep(5000)]);
      if (!exited) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    for (let i = 0; i < 50 && (await portOpen(port)); i++) await sleep(100);
  };
  // A test runner that dies must not leave the registry running.
  process.once('exit', () => {
    if (!exited) child.kill('SIGKILL');
  });

  try {
    const started = Date.now();
    for (;;) {
      if (exited) throw new Error(`verdaccio exited during start-up; log ${logFile}:\n${readFileSync(logFile, 'utf8')}`);
      const ok = await fetch(`${url}-/ping`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() - started > 60_000) throw new Error(`verdaccio did not answer on ${url} within 60 s; log ${logFile}`);
      await sleep(200);
    }
    const user = 'spikeflow-release';
    const res = await fetch(`${url}-/user/org.couchdb.user:${user}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: user, password: 'release-test-password', type: 'user', roles: [], date: new Date().toISOString() }),
    });
    if (!res.ok) throw new Error(`verdaccio refused to add a user: ${res.status} ${await res.text()}`);
    const { token } = (await res.json()) as { token: string };
    return { url, port, pid, authLine: `//127.0.0.1:${port}/:_authToken=${token}`, logFile, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
