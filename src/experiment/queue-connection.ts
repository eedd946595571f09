/**
 * Where the job queue lives: a `redis://HOST:PORT/DB` or `rediss://` (TLS) URL, turned into ioredis options,
 * and a first connection that turns Redis's failures into plain errors before anything else happens.
 * The password never comes from the URL (a command line is visible to every user of the machine and ends up
 * in shell histories and logs): it comes from the environment variable WNGAN_REDIS_PASSWORD, and no message
 * here ever prints it.
 */
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { PASSWORD_ENV } from './queue-names.js';

export interface QueueTarget {
  /** the URL without any secret, for messages: `redis://HOST:PORT/DB` */
  display: string;
  /** ioredis options (host, port, db, user, password from the environment, TLS) */
  redis: Omit<RedisOptions, 'retryStrategy'> & { retryStrategy: (times: number) => number };
}

/** A URL as the user typed it, with anything between `//` and `@` hidden: it may hold a password. */
const redact = (raw: string) => raw.replace(/\/\/[^/@]*@/, '//***@');

export function parseQueueUrl(raw: string, env: NodeJS.ProcessEnv = process.env): QueueTarget {
  const shape = 'expected redis://HOST:PORT/DB or rediss://HOST:PORT/DB (TLS)';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`--queue: '${redact(raw)}' is not a URL; ${shape}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error(`--queue: unsupported scheme '${url.protocol}' in '${redact(raw)}'; ${shape}`);
  if (url.password) {
    throw new Error(`--queue: the URL holds a password; put it in the ${PASSWORD_ENV} environment variable instead (a command line is visible to every user of the machine and ends up in logs)`);
  }
  if (!url.hostname) throw new Error(`--queue: '${redact(raw)}' names no host; ${shape}`);
  if (url.search || url.hash) throw new Error(`--queue: '${redact(raw)}': options after '?' or '#' are not supported; ${shape}`);
  const port = url.port ? Number(url.port) : 6379;
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path)) throw new Error(`--queue: the database in '${redact(raw)}' must be a number (redis://HOST:PORT/0), got '${path}'`);
  const db = path === '' ? 0 : Number(path);
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = env[PASSWORD_ENV] || undefined;
  // URL keeps IPv6 hosts in brackets; sockets want them without
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const tls = url.protocol === 'rediss:';
  return {
    display: `${url.protocol}//${username ? `${encodeURIComponent(username)}@` : ''}${url.hostname}:${port}/${db}`,
    redis: {
      host, port, db, username, password,
      // TLS checks the certificate against the host (SNI takes names only, not addresses)
      ...(tls ? { tls: isIP(host) ? {} : { servername: host } } : {}),
      // BullMQ's workers block on Redis: commands wait through a reconnect instead of failing
      maxRetriesPerRequest: null,
      // reconnect for ever, backing off to 5 s: a Redis restart must not end a worker or the coordinator
      retryStrategy: (times: number) => Math.min(200 * times, 5000),
    },
  };
}

/** Redis's own error for a connection, as a message that says what to do. */
export function explainRedisError(e: unknown, t: QueueTarget): Error {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string })?.code ?? '';
  const hint = t.redis.username ? `${PASSWORD_ENV} and the user name in the URL` : PASSWORD_ENV;
  if (/WRONGPASS|invalid password|invalid username-password/i.test(msg)) return new Error(`Redis at ${t.display} refused the authentication (${msg.replace(/^ReplyError: /, '')}): check ${hint}`);
  if (/NOAUTH|Authentication required/i.test(msg)) return new Error(`Redis at ${t.display} needs a password: set ${PASSWORD_ENV}`);
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) return new Error(`cannot reach Redis at ${t.display}: connection refused (is redis-server running there, on that port?)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(msg)) return new Error(`cannot reach Redis at ${t.display}: unknown host`);
  if (/ETIMEDOUT|timed? ?out/i.test(msg)) return new Error(`cannot reach Redis at ${t.display}: no answer (timed out)`);
  if (/certificate|SSL|TLS|EPROTO/i.test(msg)) return new Error(`TLS with Redis at ${t.display} failed: ${msg} (a private CA: NODE_EXTRA_CA_CERTS=ca.pem)`);
  return new Error(`cannot use Redis at ${t.display}: ${msg}`);
}

/**
 * Connects once, authenticates and pings, without retrying, so that a wrong host, a refused connection or a
 * refused password is a plain error within seconds rather than a worker that retries silently for ever.
 */
export async function checkConnection(t: QueueTarget, timeoutMs = 10_000): Promise<void> {
  let lastError: unknown = null;
  const client = new Redis({ ...t.redis, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, enableOfflineQueue: false });
  client.on('error', (e) => {
    lastError = e;
  });
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`unexpected answer to PING: ${pong}`);
  } catch (e) {
    // ioredis reports an AUTH failure as a closed connection; the reply itself came as an 'error' event
    throw explainRedisError(lastError && !/AUTH|PASS/i.test(String(e)) ? lastError : e, t);
  } finally {
    client.disconnect();
  }
}
