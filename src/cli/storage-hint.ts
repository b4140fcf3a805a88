/** Where the CLI's storage is, in words, once a command chose it: named in the error when it is unreachable. */
let where: string | undefined;

export function setStorageDescription(description: string): void {
  where = description;
}

/** A line naming the storage the command used, for an error that looks like storage being unreachable. */
export function storageHint(error: unknown): string | undefined {
  if (where === undefined) return undefined;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const name = error instanceof Error ? error.name : '';
  const text = error instanceof Error ? error.message : String(error);
  const unreachable =
    code === 'storage_unavailable' ||
    name === 'AbortError' ||
    /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|socket hang up/.test(`${code} ${text}`);
  return unreachable ? `Storage used: ${where}` : undefined;
}

/**
 * Exits shortly after a command is done: a failed storage request leaves the SDK's per-try timeout timer
 * running (up to 30 s), which would otherwise hold the process open.
 */
export function exitSoon(): void {
  setTimeout(() => process.exit(), 250).unref();
}
