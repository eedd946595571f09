/**
 * The error every data loader throws for bad input: a missing file, a wrong format, a truncated file, an
 * undecodable image. The message starts with the offending path so a user knows which file to look at.
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  /** The file or folder the problem is about. */
  readonly path: string;

  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}`, options);
    this.path = path;
  }
}

/** Node's "no such file" error, to turn into a DataError with a plain message. */
export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'ENOENT';
}
