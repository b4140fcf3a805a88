import { fieldIssues, RiskopsError } from '../errors/index.js';
import { type Manifest, ManifestSchema, sha256Hex } from '../model/index.js';
import { checkFeatureNames, checkSession, openSession } from './contract.js';
import type { RegistryUseCase } from './types.js';
import { removeZipMap } from './zipmap.js';

/** A model ready to be stored: the bytes that will be served and the manifest describing them. */
export interface PreparedVersion {
  bytes: Uint8Array;
  manifest: Manifest;
  /** A ZipMap was removed; `manifest.params.onnxRewrite` records what changed and the original sha256. */
  rewritten: boolean;
}

/**
 * Every check a push makes before anything is written: manifest schema, use case, sha256 and size of the
 * bytes, feature names and width, then the ZipMap rewrite and a load plus trial run in onnxruntime.
 * @throws RiskopsError `invalid_input` (manifest), `contract_violation` naming the exact problem.
 */
export async function prepareVersion(
  useCase: RegistryUseCase,
  bytes: Uint8Array,
  manifestInput: unknown,
): Promise<PreparedVersion> {
  const name = useCase.name;
  const parsed = ManifestSchema.safeParse(manifestInput);
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error.issues);
    throw new RiskopsError(
      'invalid_input',
      `Invalid manifest: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { issues },
    );
  }
  let manifest = parsed.data;
  if (manifest.useCase !== name) {
    throw new RiskopsError('contract_violation', `The manifest is for ${manifest.useCase}, not ${name}`);
  }
  const sha = sha256Hex(bytes);
  if (sha !== manifest.onnx.sha256 || bytes.length !== manifest.onnx.bytes) {
    throw new RiskopsError(
      'contract_violation',
      `The model bytes (sha256 ${sha.slice(0, 12)}…, ${bytes.length} bytes) are not the ones the manifest describes (sha256 ${manifest.onnx.sha256.slice(0, 12)}…, ${manifest.onnx.bytes} bytes)`,
    );
  }
  checkFeatureNames(useCase, manifest);
  if (manifest.onnx.inputWidth !== useCase.features.width) {
    throw new RiskopsError(
      'contract_violation',
      `manifest.onnx.inputWidth ${manifest.onnx.inputWidth} does not match ${name}'s ${useCase.features.width} features`,
    );
  }
  const { bytes: served, removal } = removeZipMap(bytes);
  if (removal !== null) {
    manifest = {
      ...manifest,
      onnx: { ...manifest.onnx, sha256: sha256Hex(served), bytes: served.length, output: removal.output },
      params: {
        ...manifest.params,
        onnxRewrite: { ...removal, originalSha256: sha, originalBytes: bytes.length },
      },
    };
  }
  const session = await openSession(served, `The ${name} model`);
  try {
    await checkSession(session, { name, width: useCase.features.width }, manifest.onnx);
  } finally {
    await session.release();
  }
  return { bytes: served, manifest, rewritten: removal !== null };
}
