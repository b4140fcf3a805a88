import type { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { RiskopsError } from '../errors/index.js';
import { type Manifest, ManifestSchema, sha256Hex } from '../model/index.js';
import {
  downloadOrNull,
  isConditionFailure,
  lazyContainer,
  readJsonBlob,
  statusOf,
  writeJsonBlobIf,
} from './blobs.js';
import type { Alias, VersionInfo } from './types.js';
import { VERSION_PATTERN } from './validation.js';

export { VERSION_PATTERN };

export function versionId(at: Date, sha256: string): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `${stamp}-${sha256.slice(0, 12)}`;
}

const ShaClaimSchema = z.object({ version: z.string() });

/** The content of `{useCase}/{version}/retired.json`. */
export const RetirementSchema = z.object({
  retiredAt: z.string(),
  retiredBy: z.string(),
  reason: z.string(),
});
export type Retirement = z.infer<typeof RetirementSchema>;

/** A version as stored: the model bytes, its passport, and its listing info. */
export interface StoredVersion {
  info: VersionInfo;
  manifest: Manifest;
  bytes: Uint8Array;
}

export interface NewVersion {
  useCase: string;
  version: string;
  bytes: Uint8Array;
  manifest: Manifest;
  pushedBy: string;
  pushedById: string;
  pushedAt: string;
}

/**
 * Immutable versions under `{useCase}/{version}/` (model.onnx, manifest.json, and a `retired.json` marker),
 * a content index `{useCase}/sha256/{sha}.json`, and the alias blobs `{useCase}/aliases/{alias}.json`.
 */
export function createVersionStore(containerClient: ContainerClient) {
  const container = lazyContainer(containerClient);
  const blob = async (path: string): Promise<BlockBlobClient> => (await container()).getBlockBlobClient(path);
  const infoFrom = (useCase: string, version: string, metadata: Record<string, string>): VersionInfo => {
    const pushedBy = decodeURIComponent(metadata.pushedby ?? '');
    return {
      useCase,
      version,
      sha256: metadata.sha256 ?? '',
      bytes: Number(metadata.bytes ?? 0),
      algorithm: metadata.algorithm ?? 'unknown',
      pushedAt: metadata.pushedat ?? '',
      pushedBy,
      pushedById: metadata.pushedbyid === undefined ? pushedBy : decodeURIComponent(metadata.pushedbyid),
      retired: false,
    };
  };

  const store = {
    aliasBlob: (useCase: string, alias: Alias) => blob(`${useCase}/aliases/${alias}.json`),
    policyBlob: (useCase: string) => blob(`${useCase}/policy.json`),

    /** The version already holding these exact bytes, if any. */
    async bySha(useCase: string, sha256: string): Promise<string | null> {
      const claim = await readJsonBlob(await blob(`${useCase}/sha256/${sha256}.json`), ShaClaimSchema);
      return claim?.value.version ?? null;
    },

    /**
     * Creates a version with conditional writes: the content claim, then model and manifest, each only if absent.
     * @throws RiskopsError `conflict` when the bytes or the version id are already registered.
     */
    async create(input: NewVersion): Promise<void> {
      const { useCase, version, bytes, manifest } = input;
      const sha = manifest.onnx.sha256;
      const claim = await blob(`${useCase}/sha256/${sha}.json`);
      if ((await writeJsonBlobIf(claim, { version }, null)) === null) {
        const existing = (await store.bySha(useCase, sha)) ?? 'unknown';
        throw new RiskopsError(
          'conflict',
          `These model bytes (sha256 ${sha.slice(0, 12)}…) are already registered for ${useCase} as version ${existing}`,
          { details: { existingVersion: existing } },
        );
      }
      try {
        const model = await blob(`${useCase}/${version}/model.onnx`);
        await model.uploadData(bytes, {
          conditions: { ifNoneMatch: '*' },
          blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
          metadata: {
            sha256: sha,
            bytes: String(bytes.length),
            algorithm: manifest.algorithm,
            pushedat: input.pushedAt,
            pushedby: encodeURIComponent(input.pushedBy),
            pushedbyid: encodeURIComponent(input.pushedById),
          },
        });
        const text = `${JSON.stringify(manifest, null, 2)}\n`;
        await (await blob(`${useCase}/${version}/manifest.json`)).upload(text, Buffer.byteLength(text), {
          conditions: { ifNoneMatch: '*' },
          blobHTTPHeaders: { blobContentType: 'application/json' },
        });
      } catch (error) {
        await claim.deleteIfExists().catch(() => undefined);
        if (isConditionFailure(error)) {
          throw new RiskopsError(
            'conflict',
            `Version ${version} of ${useCase} already exists; versions are immutable`,
            { cause: error, details: { existingVersion: version } },
          );
        }
        throw error;
      }
    },

    /** Listing info of one version from its blob metadata; `null` when it is not registered. */
    async info(useCase: string, version: string): Promise<VersionInfo | null> {
      if (!VERSION_PATTERN.test(version)) return null;
      try {
        const [model, retired] = await Promise.all([
          (await blob(`${useCase}/${version}/model.onnx`)).getProperties(),
          (await blob(`${useCase}/${version}/retired.json`)).exists(),
        ]);
        return { ...infoFrom(useCase, version, model.metadata ?? {}), retired };
      } catch (error) {
        if (statusOf(error) === 404) return null;
        throw error;
      }
    },

    /** Every complete version of a use case, oldest first. */
    async list(useCase: string): Promise<VersionInfo[]> {
      const models = new Map<string, VersionInfo>();
      const complete = new Set<string>();
      const retired = new Set<string>();
      for await (const item of (await container()).listBlobsFlat({
        prefix: `${useCase}/`,
        includeMetadata: true,
      })) {
        const [, version, file] = item.name.split('/');
        if (version === undefined || !VERSION_PATTERN.test(version)) continue;
        if (file === 'model.onnx') models.set(version, infoFrom(useCase, version, item.metadata ?? {}));
        else if (file === 'manifest.json') complete.add(version);
        else if (file === 'retired.json') retired.add(version);
      }
      return [...models.values()]
        .filter((v) => complete.has(v.version))
        .map((v) => ({ ...v, retired: retired.has(v.version) }))
        .sort((a, b) => a.version.localeCompare(b.version));
    },

    /** The manifest alone (for `show`), without integrity checks. */
    async manifest(useCase: string, version: string): Promise<Manifest | null> {
      const read = await readJsonBlob(await blob(`${useCase}/${version}/manifest.json`), ManifestSchema);
      return read?.value ?? null;
    },

    /**
     * Downloads a version and checks that its bytes are the ones pushed.
     * @throws RiskopsError `not_found`, or `integrity_error` when a blob was changed after push.
     */
    async read(useCase: string, version: string): Promise<StoredVersion> {
      const model = await blob(`${useCase}/${version}/model.onnx`);
      const [info, bytes, manifest] = await Promise.all([
        store.info(useCase, version),
        downloadOrNull(model),
        store.manifest(useCase, version),
      ]);
      if (info === null || bytes === null || manifest === null) {
        throw new RiskopsError('not_found', `Version ${version} of ${useCase} is not registered`);
      }
      const actual = sha256Hex(bytes);
      const recorded = manifest.onnx.sha256;
      if (
        actual !== recorded ||
        !version.endsWith(`-${recorded.slice(0, 12)}`) ||
        manifest.version !== version
      ) {
        throw new RiskopsError(
          'integrity_error',
          `Integrity check failed for ${useCase} ${version}: model.onnx has sha256 ${actual.slice(0, 12)}… but the manifest records ${recorded.slice(0, 12)}… (version ${manifest.version ?? 'unset'}); the blobs were changed after push, refusing to load them`,
          { details: { useCase, version, actual, recorded } },
        );
      }
      return { info, manifest, bytes };
    },

    /** Who retired a version, when and why; `null` when it is not retired. */
    async retirement(useCase: string, version: string): Promise<Retirement | null> {
      return (
        (await readJsonBlob(await blob(`${useCase}/${version}/retired.json`), RetirementSchema))?.value ??
        null
      );
    },

    /** Writes the retirement marker; `false` when the version was already retired. */
    async retire(useCase: string, version: string, record: unknown): Promise<boolean> {
      return (await writeJsonBlobIf(await blob(`${useCase}/${version}/retired.json`), record, null)) !== null;
    },
  };
  return store;
}

export type VersionStore = ReturnType<typeof createVersionStore>;
