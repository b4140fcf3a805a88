/**
 * Labeled data of a use case from Blob Storage: every `.csv` / `.jsonl` / `.ndjson` under
 * `{container}/{useCase}/`, in name order, read through the training data reader. Rows are numbered
 * across files, so a reject's line is unique in the validation report.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { RiskopsError } from '../errors/index.js';
import { readLabeledFile, type SourceRow } from '../training/index.js';
import type { AnyUseCase } from '../use-case/index.js';

const DATA_FILE = /\.(csv|jsonl|ndjson)$/i;

export interface DataSource {
  name: string;
  bytes: number;
  etag?: string;
}

export interface LabeledBlobData {
  sources: DataSource[];
  rows: AsyncIterable<SourceRow>;
  /** Removes the downloaded copies. */
  cleanup(): Promise<void>;
}

/**
 * Downloads the use case's labeled files to a temp folder and streams their rows.
 * @throws RiskopsError `data_contract` when there is no labeled file.
 */
export async function loadLabeledBlobs(
  container: ContainerClient,
  useCase: AnyUseCase,
  tempRoot = tmpdir(),
): Promise<LabeledBlobData> {
  const sources: DataSource[] = [];
  if (await container.exists()) {
    for await (const blob of container.listBlobsFlat({ prefix: `${useCase.name}/` })) {
      if (!DATA_FILE.test(blob.name)) continue;
      sources.push({
        name: blob.name,
        bytes: blob.properties.contentLength ?? 0,
        ...(blob.properties.etag === undefined ? {} : { etag: blob.properties.etag }),
      });
    }
  }
  sources.sort((a, b) => (a.name < b.name ? -1 : 1));
  if (sources.length === 0) {
    throw new RiskopsError(
      'data_contract',
      `No labeled data for ${useCase.name}: expected .csv or .jsonl files under ${container.containerName}/${useCase.name}/`,
    );
  }
  const dir = await mkdtemp(join(tempRoot, `riskops-retrain-${useCase.name}-`));
  const files: string[] = [];
  try {
    for (const [i, source] of sources.entries()) {
      const file = join(dir, `${String(i).padStart(5, '0')}-${source.name.split('/').pop() ?? 'data'}`);
      await container.getBlobClient(source.name).downloadToFile(file);
      files.push(file);
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  async function* rows(): AsyncGenerator<SourceRow> {
    let offset = 0;
    for (const file of files) {
      let last = 0;
      for await (const row of readLabeledFile(file, useCase)) {
        last = row.line;
        yield { ...row, line: offset + row.line };
      }
      offset += last;
    }
  }
  return { sources, rows: rows(), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
