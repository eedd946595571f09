/** The queue flags that `wngan experiment --queue` and `wngan worker` share (without loading any Redis code). */
import { DEFAULT_QUEUE_NAME, PASSWORD_ENV } from '../experiment/queue-names.js';

export const QUEUE_URL_HELP = `redis://HOST:PORT/DB, or rediss://... for TLS; the password comes from ${PASSWORD_ENV}, never the URL`;
export const QUEUE_NAME_FLAG = { type: 'string', default: DEFAULT_QUEUE_NAME, help: 'the queue (the same for coordinator and workers; several experiments can share one)' } as const;

export function checkQueueName(name: string, command: string): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new Error(`${command}: --queue-name must be 1–64 letters, digits, '_', '.' or '-', got '${name}'`);
  return name;
}
