/** Names shared by the queue's coordinator, its workers and their command lines (no Redis code here). */
export const PASSWORD_ENV = 'WNGAN_REDIS_PASSWORD';
export const DEFAULT_QUEUE_NAME = 'wngan';
