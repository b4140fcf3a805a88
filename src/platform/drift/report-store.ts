import type { ContainerClient } from '@azure/storage-blob';
import { RiskopsError } from '../errors/index.js';
import { type DriftReport, DriftReportSchema } from './report.js';

/** Where drift reports live: `{useCase}/{date}/report.json` and `report.html`, other versions under `versions/`. */
export interface DriftReportStore {
  write(report: DriftReport, html: string, primary: boolean): Promise<{ json: string; html: string }>;
  /** The primary report of a window, or null. */
  read(useCase: string, date: string): Promise<DriftReport | null>;
  readHtml(useCase: string, date: string): Promise<string | null>;
  /** Dates with a report, newest first. */
  dates(useCase: string): Promise<string[]>;
}

export function reportPath(useCase: string, date: string, file = 'report.json'): string {
  return `${useCase}/${date}/${file}`;
}

async function text(container: ContainerClient, path: string): Promise<string | null> {
  try {
    return (await container.getBlobClient(path).downloadToBuffer()).toString('utf8');
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw new RiskopsError('storage_unavailable', `Cannot read ${container.containerName}/${path}`, {
      cause: error,
    });
  }
}

export function createBlobReportStore(container: ContainerClient): DriftReportStore {
  let ready: Promise<unknown> | undefined;
  const ensure = () => {
    ready ??= container.createIfNotExists().catch((error: unknown) => {
      ready = undefined;
      throw new RiskopsError('storage_unavailable', `Cannot reach the container ${container.containerName}`, {
        cause: error,
      });
    });
    return ready;
  };
  const put = async (path: string, body: string, contentType: string) => {
    await container
      .getBlockBlobClient(path)
      .upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: contentType } });
  };
  return {
    async write(report, html, primary) {
      await ensure();
      const json = `${JSON.stringify(report, null, 2)}\n`;
      const base = primary ? 'report' : `versions/${report.modelVersion}`;
      const paths = {
        json: reportPath(report.useCase, report.date, `${base}.json`),
        html: reportPath(report.useCase, report.date, `${base}.html`),
      };
      await put(paths.json, json, 'application/json');
      await put(paths.html, html, 'text/html; charset=utf-8');
      return {
        json: `${container.containerName}/${paths.json}`,
        html: `${container.containerName}/${paths.html}`,
      };
    },
    async read(useCase, date) {
      await ensure();
      const body = await text(container, reportPath(useCase, date));
      return body === null ? null : DriftReportSchema.parse(JSON.parse(body));
    },
    async readHtml(useCase, date) {
      await ensure();
      return text(container, reportPath(useCase, date, 'report.html'));
    },
    async dates(useCase) {
      await ensure();
      const dates = new Set<string>();
      for await (const blob of container.listBlobsFlat({ prefix: `${useCase}/` })) {
        const match = /^[^/]+\/(\d{4}-\d{2}-\d{2})\/report\.json$/.exec(blob.name);
        if (match?.[1] !== undefined) dates.add(match[1]);
      }
      return [...dates].sort().reverse();
    },
  };
}
