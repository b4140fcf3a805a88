/** The steps of `riskops demo drift`: each returns the lines it prints, or throws naming what went wrong. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inputPrefix, runPrefix, SUCCESS_FILE } from '../../platform/batch/index.js';
import type { DriftReport } from '../../platform/drift/index.js';
import { isRiskopsError, RiskopsError } from '../../platform/errors/index.js';
import { type LedgerEntry, localPrincipal } from '../../platform/registry/index.js';
import {
  createRetrainState,
  DriftReceiptSchema,
  driftWindowOf,
  type RetrainState,
} from '../../platform/retrain/index.js';
import type { Services } from '../../platform/runtime/services.js';
import { csvCell, csvLine, schemaFields } from '../../platform/tabular/index.js';
import { writeLabeledFile } from '../../platform/training/index.js';
import type { AnyUseCase } from '../../platform/use-case/index.js';

export interface DemoContext {
  services: Services;
  useCase: string;
  days: readonly [string, string];
  rows: number;
  shift: Record<string, number> | undefined;
  deadline: number;
  started: number;
  values: { messageId?: string; version?: string };
}

/** Thrown by a step: its lines so far are printed with the failure. */
export interface StepFailure extends Error {
  lines: string[];
}

const LABELED_ROWS = 3000;
const CONCEPT_DRIFT = 0.8;

function fail(message: string, lines: string[] = [], code: 'not_found' | 'internal' = 'internal'): never {
  throw Object.assign(new RiskopsError(code, message), { lines });
}

async function until<T>(
  ctx: DemoContext,
  what: string,
  probe: () => Promise<T | undefined>,
  lines: string[],
): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > ctx.deadline) fail(`timed out waiting for ${what}`, lines);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function useCaseOf(ctx: DemoContext): AnyUseCase {
  const found = ctx.services.useCases.find((u) => u.name === ctx.useCase);
  if (found === undefined)
    throw new RiskopsError(
      'unknown_use_case',
      `Unknown use case '${ctx.useCase}'. Known: ${ctx.services.useCases.map((u) => u.name).join(', ')}`,
    );
  return found;
}

function shiftOf(ctx: DemoContext, useCase: AnyUseCase): Record<string, number> {
  const fields = schemaFields(useCase);
  const numeric = fields.filter((f) => f.kind === 'number').map((f) => f.name);
  const shift =
    ctx.shift ??
    (useCase.name === 'late_payment'
      ? { amount: 2, customer_tenure_months: 2 }
      : Object.fromEntries(numeric.slice(0, 2).map((f) => [f, 2])));
  for (const field of Object.keys(shift))
    if (!fields.some((f) => f.name === field))
      throw new RiskopsError('invalid_input', `--shift: ${useCase.name} has no field '${field}'`);
  return shift;
}

const state = (ctx: DemoContext): RetrainState =>
  createRetrainState(ctx.services.storage.table(ctx.services.settings.RISKOPS_RETRAIN_TABLE));

async function generate(ctx: DemoContext): Promise<string[]> {
  const useCase = useCaseOf(ctx);
  const { settings, storage, registry } = ctx.services;
  if (useCase.generate === undefined)
    throw new RiskopsError('invalid_input', `${useCase.name} has no generator: the demo needs one`);
  if (ctx.rows < useCase.drift.minRows)
    throw new RiskopsError(
      'invalid_input',
      `--rows ${ctx.rows} is below ${useCase.name}'s drift.minRows ${useCase.drift.minRows}: that window would never vote for a retrain`,
    );
  const champion = await registry.resolve(useCase.name, 'champion');
  const shift = shiftOf(ctx, useCase);
  const columns = schemaFields(useCase).map((f) => f.name);
  const inputs = storage.container(settings.RISKOPS_BATCH_INPUT_CONTAINER);
  await inputs.createIfNotExists();
  const lines = [
    `champion ${champion}; data drift ${Object.entries(shift)
      .map(([f, sd]) => `${f} ${sd >= 0 ? '+' : ''}${sd} sd`)
      .join(', ')}`,
  ];
  for (const day of ctx.days) {
    const rows = useCase.generate({
      rows: ctx.rows,
      seed: (Number(day.replaceAll('-', '')) % 100_000) + 11,
      startDate: day,
      dataDrift: shift,
    });
    const name = `${inputPrefix(useCase.name, day)}demo-drifted.csv`;
    const csv = `${columns.map(csvCell).join(',')}\n${rows.map((r) => csvLine(r, columns)).join('')}`;
    await inputs.getBlockBlobClient(name).uploadData(Buffer.from(csv));
    let others = 0;
    for await (const blob of inputs.listBlobsFlat({ prefix: inputPrefix(useCase.name, day) }))
      if (blob.name !== name) others++;
    lines.push(
      `${inputs.containerName}/${name}: ${rows.length} rows${others > 0 ? ` (+${others} other file(s) in that day's folder)` : ''}`,
    );
  }
  // The labels matured meanwhile (older cohorts, before the shift) show a changed relationship: concept drift.
  const labeled = useCase.generate({
    rows: LABELED_ROWS,
    seed: (Number(ctx.days[1].replaceAll('-', '')) % 100_000) + 29,
    startDate: ctx.days[0],
    conceptDrift: CONCEPT_DRIFT,
  });
  const training = storage.container(settings.RISKOPS_TRAINING_DATA_CONTAINER);
  await training.createIfNotExists();
  const dir = await mkdtemp(join(tmpdir(), 'riskops-demo-'));
  const name = `${useCase.name}/demo-${ctx.days[1]}.csv`;
  try {
    const file = join(dir, 'labeled.csv');
    await writeLabeledFile(file, useCase, labeled);
    await training.getBlockBlobClient(name).uploadData(await readFile(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  lines.push(
    `${training.containerName}/${name}: ${labeled.length} labeled rows (concept drift ${CONCEPT_DRIFT})`,
  );
  return lines;
}

async function batch(ctx: DemoContext): Promise<string[]> {
  const { batch: service, settings, storage } = ctx.services;
  if (service === undefined) throw new RiskopsError('invalid_settings', 'No batch service');
  const outputs = storage.container(settings.RISKOPS_BATCH_OUTPUT_CONTAINER);
  const lines: string[] = [];
  for (const day of ctx.days) {
    const t0 = Date.now();
    const plan = await service.plan(ctx.useCase, day, { force: true });
    const { runId } = plan.run;
    const run = await until(
      ctx,
      `run ${runId} (is the host's scoreChunk consumer running?)`,
      async () => {
        const p = await service.progress(runId);
        return p.run.status === 'succeeded' || p.run.status === 'failed' ? p.run : undefined;
      },
      lines,
    );
    const summary = run.summary;
    const success = `${runPrefix(ctx.useCase, day, runId)}${SUCCESS_FILE}`;
    if (run.status !== 'succeeded' || !(await outputs.getBlobClient(success).exists()))
      fail(`run ${runId} ${run.status}: ${summary?.reason ?? `no ${success}`}`, lines);
    lines.push(
      `${day}: run ${runId} succeeded in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${summary?.rows.scored ?? 0} of ${summary?.rows.input ?? 0} rows scored by ${run.modelVersion} → ${outputs.containerName}/${success}`,
    );
  }
  return lines;
}

function psiLine(report: DriftReport): string {
  const top = [...report.features].sort((a, b) => b.psi - a.psi).slice(0, 3);
  const flagged = report.flagged.length > 0 ? `DRIFT on ${report.flagged.join(', ')}` : 'no drift flagged';
  return `${report.date}: ${report.rows} rows, ${flagged}; PSI ${top.map((f) => `${f.name} ${f.psi.toFixed(3)}`).join(', ')}, score ${report.score.psi.toFixed(3)}`;
}

async function drift(ctx: DemoContext): Promise<string[]> {
  const useCase = useCaseOf(ctx);
  const { driftMonitor, retrainTrigger } = ctx.services;
  const retrain = state(ctx);
  const lines: string[] = [];
  for (const day of ctx.days) {
    const [window] = await driftMonitor.run({ useCases: [useCase.name], date: day, catchUp: false });
    const report = window?.reports[0] ?? (await driftMonitor.reports.read(useCase.name, day));
    if (report === null) fail(`no drift counts for ${useCase.name} on ${day}`, lines, 'not_found');
    lines.push(psiLine(report));
    // The monitor already gave this window its vote; asking again is idempotent and says what was decided.
    const outcome = await retrainTrigger.consider(driftWindowOf(report));
    lines.push(`trigger: ${outcome.decision}: ${outcome.message}`);
  }
  const sent = (await retrain.requests(useCase.name))
    .filter((r) => Date.parse(r.sentAt) >= ctx.started - 1000)
    .sort((a, b) => (a.sentAt < b.sentAt ? 1 : -1))[0];
  if (sent === undefined)
    fail(
      `no retrain request was sent by this demo (see the trigger lines; a request within ${useCase.drift.cooldownHours} h blocks another: use a fresh RISKOPS_DATA_DIR)`,
      lines,
    );
  ctx.values.messageId = sent.messageId;
  const queue = ctx.services.storage.queue('retrain-requests');
  const peeked = await queue.peekMessages({ numberOfMessages: 32 }).catch(() => undefined);
  const waiting = peeked?.peekedMessageItems.length ?? 0;
  lines.push(
    `retrain request ${sent.messageId} sent at ${sent.sentAt} to retrain-requests (${waiting > 0 ? `${waiting} message(s) waiting` : "already taken by the host's retrain trigger"})`,
  );
  return lines;
}

async function retrain(ctx: DemoContext): Promise<string[]> {
  const messageId = ctx.values.messageId ?? fail('no retrain request to follow');
  const { registry } = ctx.services;
  const lines: string[] = [];
  const record = await until(
    ctx,
    `the host's retrain trigger to finish ${messageId}`,
    async () => {
      const r = await state(ctx).processed(messageId);
      return r?.status === 'done' ? r : undefined;
    },
    lines,
  );
  const outcome = JSON.parse(record.outcome ?? '{}') as {
    status?: string;
    version?: string;
    message?: string;
  };
  lines.push(`retrain consumer: ${outcome.message ?? outcome.status ?? 'no outcome recorded'}`);
  if (outcome.status !== 'registered' || outcome.version === undefined)
    fail('the retrain consumer registered no challenger', lines);
  const version = outcome.version;
  await until(
    ctx,
    `the challenger alias to move to ${version}`,
    async () =>
      (await registry.alias(ctx.useCase, 'challenger'))?.state.version === version ? true : undefined,
    lines,
  );
  ctx.values.version = version;
  const { manifest } = await registry.show(ctx.useCase, version);
  const lineage = manifest.lineage;
  if (lineage === undefined) fail(`${version} has no lineage`, lines);
  const parsed = DriftReceiptSchema.safeParse(lineage.receipt);
  if (!parsed.success)
    fail(`${version}'s lineage holds no valid drift receipt: ${parsed.error.message}`, lines);
  const receipt = parsed.data;
  lines.push(`challenger alias → ${version}`);
  lines.push(
    `lineage: ${lineage.trigger} ${lineage.requestId}; data ${lineage.dataHash} (${lineage.dataRows} rows, ${lineage.sources.length} file(s))`,
  );
  lines.push(
    `receipt: window ${receipt.windowDate} on ${receipt.modelVersion}, reference profile ${receipt.referenceProfileHash}, ${receipt.rows} rows vs ${receipt.referenceRows}; PSI ≥ ${receipt.thresholds.act} on ${receipt.breaches.join(', ')} in ${receipt.persistence.breachedWindows} of ${receipt.persistence.n} windows (k ${receipt.persistence.k}), α ${receipt.alpha}, code ${receipt.codeVersion}`,
  );
  return lines;
}

function ledgerLine(e: LedgerEntry): string {
  const move =
    e.alias === undefined
      ? (e.version ?? '')
      : `${e.alias} ${e.from ?? '(none)'} → ${e.to ?? e.version ?? ''}`;
  const who = e.approvedBy === undefined ? e.actor : `${e.actor} (approved by ${e.approvedBy})`;
  return `ledger: ${e.at} ${[e.action, move].filter((p) => p !== '').join(' ')} by ${who}: ${e.reason}`;
}

async function promote(ctx: DemoContext): Promise<string[]> {
  const version = ctx.values.version ?? fail('no challenger to promote');
  const { registry, settings } = ctx.services;
  const who = localPrincipal(settings);
  const actor = { actor: who.name, actorId: who.id };
  const reason = `riskops demo drift: challenger ${version} from ${ctx.values.messageId ?? 'a retrain request'}`;
  const lines: string[] = [];
  const since = new Date().toISOString();
  try {
    const move = await registry.promote(ctx.useCase, version, { ...actor, reason });
    lines.push(
      `promoted by ${who.name}: champion ${move.from ?? '(none)'} → ${move.to} (no approval required)`,
    );
  } catch (error) {
    if (isRiskopsError(error, 'forbidden')) fail(`separation of duties: ${error.message}`, lines);
    if (!isRiskopsError(error, 'precondition_failed')) throw error;
    lines.push(`promotion by ${who.name} blocked: ${error.message}`);
    // Locally the registry takes any named identity: a second one approves (in Azure it is Easy Auth's).
    const approver = `${who.id}-demo-approver`;
    await registry.approve(ctx.useCase, version, { actor: approver, actorId: approver, reason });
    lines.push(`approved by a second local identity ${approver}`);
    const move = await registry.promote(ctx.useCase, version, { ...actor, reason });
    lines.push(`promoted by ${who.name}: champion ${move.from ?? '(none)'} → ${move.to}`);
  }
  const back = await registry.rollback(ctx.useCase, {
    ...actor,
    reason: `${reason}: rolled back by the demo`,
  });
  lines.push(`rolled back by ${who.name}: champion ${back.from ?? '(none)'} → ${back.to}`);
  const entries = (await registry.history(ctx.useCase)).filter((e) => e.at >= since).reverse();
  for (const e of entries) lines.push(ledgerLine(e));
  return lines;
}

export const DRIFT_STEPS: readonly { name: string; run(ctx: DemoContext): Promise<string[]> }[] = [
  { name: 'generate two drifted days and a labeled sample', run: generate },
  { name: 'nightly batch of each day on the host', run: batch },
  { name: 'drift monitor (k of n windows) and the retrain request', run: drift },
  { name: 'retrain: challenger registered with its receipt', run: retrain },
  { name: 'promote the challenger, then roll it back', run: promote },
];
