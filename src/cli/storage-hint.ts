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
