import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createStorageClients, type StorageClients } from '../../src/platform/storage/index.js';

/** Clients for the run's Azurite (started by the global setup). */
export function testStorage(): StorageClients {
  return createStorageClients({
    kind: 'connectionString',
    connectionString: inject('azuriteConnectionString'),
  });
}

/** A name no other test uses: lower-case letters and digits, valid for containers, queues and tables. */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex')}`.toLowerCase();
}
