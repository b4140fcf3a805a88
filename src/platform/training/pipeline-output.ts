/** Writing a trained model's directory: byte-stable JSON, the code version, atomic file writes. */
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Manifest } from '../model/index.js';
import type { ValidationReport } from './validation.js';

export const MODEL_FILE = 'model.onnx';
export const MANIFEST_FILE = 'manifest.json';
export const VALIDATION_FILE = 'validation.json';

let cachedCodeVersion: string | undefined;

/**
 * `name@version` of the nearest package.json above this module (the same from src/ and dist/), so a
 * manifest names the code that trained it without depending on git state or time.
 */
export function codeVersion(): string {
  if (cachedCodeVersion !== undefined) return cachedCodeVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      cachedCodeVersion = `${pkg.name ?? 'riskops'}@${pkg.version ?? '0.0.0'}`;
      return cachedCodeVersion;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const parent = dirname(dir);
    if (parent === dir) return 'riskops@unknown';
    dir = parent;
  }
}

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/**
 * Indented JSON with a trailing newline, keys in insertion order, arrays of plain values on one line
 * (a tree explainer holds thousands of numbers). The same value always gives the same bytes.
 */
export function formatJson(value: unknown, indent = ''): string {
  if (isPrimitive(value)) return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every(isPrimitive)) return `[${value.map((v) => JSON.stringify(v) ?? 'null').join(', ')}]`;
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

export function jsonFile(value: unknown): string {
  return `${formatJson(value)}\n`;
}

/** What `writeModelDirectory` writes. */
export interface ModelFiles {
  onnx: Uint8Array;
  manifest: Manifest;
  validationReport: ValidationReport;
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, data);
  await rename(temp, path);
}

/**
 * Writes `model.onnx`, `validation.json` and `manifest.json` into `dir` (created if needed). Each file
 * is replaced atomically (written beside, then renamed), the manifest last.
 * @returns the paths written.
 */
export async function writeModelDirectory(dir: string, files: ModelFiles): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths = [join(dir, MODEL_FILE), join(dir, VALIDATION_FILE), join(dir, MANIFEST_FILE)];
  await writeAtomically(paths[0] as string, files.onnx);
  await writeAtomically(paths[1] as string, jsonFile(files.validationReport));
  await writeAtomically(paths[2] as string, jsonFile(files.manifest));
  return paths;
}
