/** `riskops models`: list, show, push, approve, promote, rollback, retire and history of registered models. */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSettings } from '../../platform/config/index.js';
import { isRiskopsError, RiskopsError } from '../../platform/errors/index.js';
import {
  AliasSchema,
  type ChangeOptions,
  createRegistryFromSettings,
  type LedgerEntry,
  type LedgerVerification,
  localPrincipal,
  pushExternal,
  type Registry,
} from '../../platform/registry/index.js';
import { createStorageClients } from '../../platform/storage/index.js';
import { getUseCase, USE_CASES } from '../../use_cases/index.js';
import { cliStorageConnection } from '../storage.js';

const USAGE = `usage: riskops models <sub-command> [options]

  list [useCase...]                              versions and aliases (all use cases by default)
  show <useCase> <version|champion|challenger>   one version's passport [--json]
  push <useCase> <dir|model.onnx> [--manifest f] [--reason text]
       --external [--sample rows.json|rows.jsonl]  bring your own ONNX: the manifest is filled in
  approve <useCase> <version> --reason text      second pair of eyes (required in Azure)
  promote <useCase> <version> --reason text [--alias champion|challenger] [--from version|none]
  rollback <useCase> --reason text [--alias champion|challenger]
  retire <useCase> <version> --reason text
  history <useCase> [--at ISO-time] [--limit N] [--all]
                                                 the ledger; with --at, who was champion then;
                                                 --all also lists commit/abort bookkeeping entries
  verify-ledger [useCase...]                     check the ledger's hash chain (exit 1 when broken)
  policy <useCase> [--require-approval true|false --reason text]
                                                 show or change the approval policy (audited)

The actor written to the ledger is RISKOPS_ACTOR, else your OS user name. Errors print their code
(e.g. integrity_error, forbidden) and exit 1.
`;

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

const BOOLEAN_FLAGS = new Set(['json', 'external', 'help', 'all']);

function parse(args: readonly string[]): Parsed {
  const parsed: Parsed = { positional: [], flags: new Map() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    const [name = '', inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) parsed.flags.set(name, inline);
    else if (BOOLEAN_FLAGS.has(name)) parsed.flags.set(name, true);
    else {
      const value = args[++i];
      if (value === undefined) throw usageError(`--${name} needs a value`);
      parsed.flags.set(name, value);
    }
  }
  return parsed;
}

function usageError(message: string): RiskopsError {
  return new RiskopsError('invalid_input', `${message}\n\n${USAGE}`);
}

function flag(parsed: Parsed, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function required(parsed: Parsed, name: string): string {
  const value = flag(parsed, name);
  if (value === undefined || value.trim() === '') throw usageError(`--${name} is required`);
  return value;
}

function arg(parsed: Parsed, index: number, what: string): string {
  const value = parsed.positional[index];
  if (value === undefined) throw usageError(`missing <${what}>`);
  return value;
}

/** Left-aligned columns, a header, and a rule under it. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function ledgerTable(entries: readonly LedgerEntry[]): string {
  return table(
    ['AT', 'ACTION', 'ALIAS', 'FROM', 'TO / VERSION', 'ACTOR', 'REASON'],
    entries.map((e) => [
      e.at,
      e.outcome === undefined || e.outcome === 'committed' ? e.action : `${e.action} (${e.outcome})`,
      e.alias ?? '',
      e.from ?? '',
      e.to ?? e.version,
      e.approvedBy === undefined ? e.actor : `${e.actor} (approved by ${e.approvedBy})`,
      e.reason,
    ]),
  );
}

async function readRows(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8');
  if (path.endsWith('.jsonl')) {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown);
  }
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed)) throw usageError(`${path} must hold a JSON array of records (or use .jsonl)`);
  return parsed;
}

async function push(registry: Registry, parsed: Parsed, who: Omit<ChangeOptions, 'reason'>): Promise<void> {
  const useCaseName = arg(parsed, 1, 'useCase');
  const path = arg(parsed, 2, 'dir|model.onnx');
  const isDir = (await stat(path)).isDirectory();
  const modelPath = isDir ? join(path, 'model.onnx') : path;
  const manifestPath = flag(parsed, 'manifest') ?? (isDir ? join(path, 'manifest.json') : undefined);
  const bytes = await readFile(modelPath);
  const manifest =
    manifestPath === undefined ? {} : (JSON.parse(await readFile(manifestPath, 'utf8')) as unknown);
  const reason = flag(parsed, 'reason') ?? `pushed ${modelPath}`;
  let result: Awaited<ReturnType<Registry['push']>>;
  if (parsed.flags.has('external')) {
    const useCase = getUseCase(useCaseName);
    if (useCase === undefined) throw usageError(`unknown use case ${useCaseName}`);
    const sample = flag(parsed, 'sample');
    result = await pushExternal(registry, useCase, bytes, manifest, {
      ...who,
      reason,
      ...(sample === undefined ? {} : { sample: await readRows(sample) }),
    });
  } else {
    result = await registry.push(useCaseName, bytes, manifest, { ...who, reason });
  }
  process.stdout.write(`pushed ${useCaseName} ${result.version} (sha256 ${result.sha256})\n`);
  if (result.rewritten) {
    process.stdout.write(
      '  the ZipMap was removed so onnxruntime-node can serve it (manifest.params.onnxRewrite)\n',
    );
  }
}

async function list(registry: Registry, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const { versions, aliases, problems } = await registry.list(name);
    process.stdout.write(`\n${name}\n`);
    for (const p of problems) {
      process.stdout.write(
        `  ! ${p.alias} alias is broken: ${p.problem}; the ledger says it holds ${p.ledgerVersion ?? 'nothing'}. Repair: riskops models promote ${name} <version> --alias ${p.alias} --reason ...\n`,
      );
    }
    for (const alias of ['champion', 'challenger'] as const) {
      const a = aliases[alias];
      process.stdout.write(
        `  ${alias.padEnd(10)} ${a === null ? '(none)' : `${a.version}  moved ${a.movedAt} by ${a.movedBy}: ${a.reason}`}\n`,
      );
    }
    if (versions.length === 0) {
      process.stdout.write('  no versions registered\n');
      continue;
    }
    const rows = [...versions]
      .reverse()
      .map((v) => [
        v.version,
        v.aliases.join(','),
        v.algorithm,
        v.pushedAt,
        v.pushedBy,
        v.retired ? 'retired' : '',
      ]);
    process.stdout.write(
      `${table(['VERSION', 'ALIAS', 'ALGORITHM', 'PUSHED AT', 'PUSHED BY', 'STATUS'], rows).replace(/^/gm, '  ')}\n`,
    );
  }
}

async function show(registry: Registry, parsed: Parsed): Promise<void> {
  const { info, manifest } = await registry.show(arg(parsed, 1, 'useCase'), arg(parsed, 2, 'version'));
  if (parsed.flags.has('json')) {
    process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
    return;
  }
  const m = manifest.metrics;
  const lines: [string, string][] = [
    ['version', info.version],
    ['sha256', info.sha256],
    ['pushed', `${info.pushedAt} by ${info.pushedBy}${info.retired ? ' (retired)' : ''}`],
    ['algorithm', manifest.algorithm],
    ['code version', manifest.codeVersion],
    [
      'onnx',
      `${manifest.onnx.input} [N, ${manifest.onnx.inputWidth}] -> ${manifest.onnx.output} (${manifest.onnx.bytes} bytes)`,
    ],
    ['features', `${manifest.features.names.length} (hash ${manifest.features.hash.slice(0, 12)}…)`],
    [
      'training',
      `${manifest.training.source}, ${manifest.training.rows} rows, positive rate ${manifest.training.positiveRate.toFixed(4)}`,
    ],
    [
      'metrics',
      m.rows === 0
        ? 'not measured'
        : `AUC ${m.auc.toFixed(4)}  Brier ${m.brier.toFixed(4)}  ECE ${m.ece.toFixed(4)}  KS ${m.ks.toFixed(4)} on ${m.rows} rows`,
    ],
    [
      'gate',
      manifest.gate.passed
        ? 'passed'
        : `not passed (${
            manifest.gate.checks
              .filter((c) => !c.passed)
              .map((c) => c.name)
              .join(', ') || 'no checks'
          })`,
    ],
  ];
  if (manifest.params.onnxRewrite !== undefined)
    lines.push(['rewrite', JSON.stringify(manifest.params.onnxRewrite)]);
  for (const [key, value] of lines) process.stdout.write(`${key.padEnd(14)} ${value}\n`);
}

async function history(registry: Registry, parsed: Parsed): Promise<void> {
  const name = arg(parsed, 1, 'useCase');
  const at = flag(parsed, 'at');
  const limit = Number(flag(parsed, 'limit') ?? 50);
  if (!Number.isInteger(limit) || limit <= 0) throw usageError('--limit must be a positive integer');
  let until: Date | undefined;
  if (at !== undefined) {
    until = new Date(at);
    if (Number.isNaN(until.getTime())) throw usageError(`--at ${at} is not an ISO 8601 date-time`);
    const champion = await registry.championAt(name, until);
    process.stdout.write(
      champion === null
        ? `${name} had no champion at ${until.toISOString()}\n\n`
        : `${name} champion at ${until.toISOString()}: ${champion.version} (since ${champion.since}, ${champion.entry.action} by ${champion.entry.actor}: ${champion.entry.reason})\n\n`,
    );
  }
  const entries = await registry.history(name, {
    limit,
    raw: parsed.flags.has('all'),
    ...(until === undefined ? {} : { until }),
  });
  const chain = await registry.verifyLedger(name);
  if (!chain.ok) process.stdout.write(`${chainReport(chain)}\n`);
  process.stdout.write(`${entries.length === 0 ? 'no ledger entries' : ledgerTable(entries)}\n`);
}

function chainReport(v: LedgerVerification): string {
  if (v.ok)
    return `${v.useCase}: ledger chain intact (${v.entries} entries${v.unchained > 0 ? `, ${v.unchained} older unchained` : ''})`;
  const lines = v.problems.map((p) => `  - ${p.seq === undefined ? '' : `seq ${p.seq}: `}${p.problem}`);
  return [
    `${v.useCase}: LEDGER CHAIN BROKEN (${v.problems.length} problem${v.problems.length === 1 ? '' : 's'})`,
    ...lines,
  ].join('\n');
}

async function verifyLedgers(registry: Registry, names: readonly string[]): Promise<number> {
  let broken = 0;
  for (const name of names) {
    const result = await registry.verifyLedger(name);
    process.stdout.write(`${chainReport(result)}\n`);
    if (!result.ok) broken += 1;
  }
  return broken === 0 ? 0 : 1;
}

async function policy(registry: Registry, parsed: Parsed, who: Omit<ChangeOptions, 'reason'>): Promise<void> {
  const name = arg(parsed, 1, 'useCase');
  const value = flag(parsed, 'require-approval');
  if (value !== undefined) {
    if (value !== 'true' && value !== 'false') throw usageError('--require-approval must be true or false');
    await registry.setPolicy(name, value === 'true', { ...who, reason: required(parsed, 'reason') });
  }
  const current = await registry.policy(name);
  const p = current.policy;
  process.stdout.write(
    `${name}: approval ${current.requireApproval ? 'required' : 'not required'} for champion${p === null ? '' : ` (set ${p.changedAt} by ${p.changedBy}: ${p.reason})`}\n`,
  );
  if (current.problem !== undefined) process.stdout.write(`  ! ${current.problem}\n`);
}

export async function run(args: string[]): Promise<number> {
  try {
    return await runCommand(args);
  } catch (error) {
    if (!isRiskopsError(error)) throw error;
    process.stderr.write(`riskops models: ${error.code}: ${error.message}\n`);
    return 1;
  }
}

async function runCommand(args: string[]): Promise<number> {
  const parsed = parse(args);
  const sub = parsed.positional[0];
  if (sub === undefined || sub === 'help' || parsed.flags.has('help')) {
    process.stdout.write(USAGE);
    return sub === undefined && !parsed.flags.has('help') ? 2 : 0;
  }
  const settings = loadSettings({ localSettingsPath: 'local.settings.json' });
  const storage = createStorageClients(cliStorageConnection(settings));
  const registry = createRegistryFromSettings(settings, storage, USE_CASES);
  const principal = localPrincipal(settings);
  const who = { actor: principal.name, actorId: principal.id };
  const names = () =>
    parsed.positional.length > 1 ? parsed.positional.slice(1) : USE_CASES.map((u) => u.name);
  const alias = (): { alias?: 'champion' | 'challenger' } => {
    const value = flag(parsed, 'alias');
    if (value === undefined) return {};
    const result = AliasSchema.safeParse(value);
    if (!result.success) throw usageError(`--alias must be champion or challenger, not ${value}`);
    return { alias: result.data };
  };
  const done = (what: string) => process.stdout.write(`${what}\n`);
  switch (sub) {
    case 'list':
      await list(registry, names());
      return 0;
    case 'verify-ledger':
      return verifyLedgers(registry, names());
    case 'policy':
      await policy(registry, parsed, who);
      return 0;
    case 'show':
      await show(registry, parsed);
      return 0;
    case 'push':
      await push(registry, parsed, who);
      return 0;
    case 'approve': {
      const name = arg(parsed, 1, 'useCase');
      const version = arg(parsed, 2, 'version');
      await registry.approve(name, version, { ...who, reason: required(parsed, 'reason') });
      done(`${who.actor} approved ${name} ${version}`);
      return 0;
    }
    case 'promote': {
      const name = arg(parsed, 1, 'useCase');
      const from = flag(parsed, 'from');
      const move = await registry.promote(name, arg(parsed, 2, 'version'), {
        ...who,
        reason: required(parsed, 'reason'),
        ...alias(),
        ...(from === undefined ? {} : { from: from === 'none' ? null : from }),
      });
      done(`${name} ${move.alias}: ${move.from ?? '(none)'} -> ${move.to}`);
      return 0;
    }
    case 'rollback': {
      const name = arg(parsed, 1, 'useCase');
      const move = await registry.rollback(name, { ...who, reason: required(parsed, 'reason'), ...alias() });
      done(`${name} ${move.alias} rolled back: ${move.from ?? '(none)'} -> ${move.to}`);
      return 0;
    }
    case 'retire': {
      const name = arg(parsed, 1, 'useCase');
      const version = arg(parsed, 2, 'version');
      await registry.retire(name, version, { ...who, reason: required(parsed, 'reason') });
      done(`retired ${name} ${version}`);
      return 0;
    }
    case 'history':
      await history(registry, parsed);
      return 0;
    default:
      process.stderr.write(`unknown sub-command: ${sub}\n\n${USAGE}`);
      return 2;
  }
}
