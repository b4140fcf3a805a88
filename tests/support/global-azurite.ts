import type { TestProject } from 'vitest/node';
import { startAzurite } from '../../src/platform/storage/azurite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
    azuritePid: number;
  }
}

/** One in-memory Azurite on free ports for the whole run, stopped by its process id at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide('azuriteConnectionString', azurite.connectionString);
  project.provide('azuritePid', azurite.pid);
  return () => azurite.stop();
}
