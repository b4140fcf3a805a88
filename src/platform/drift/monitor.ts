import { RiskopsError } from '../errors/index.js';
import type { Manifest } from '../model/index.js';
import type { Telemetry } from '../telemetry/index.js';
import { type AnyUseCase, findUseCase } from '../use-case/index.js';
import { renderDriftReport } from './html.js';
import { addCounts, driftLayout, emptyCounts, sliceBins } from './layout.js';
import { quantityDrift } from './metrics.js';
import type { DriftReport } from './report.js';
import type { DriftReportStore } from './report-store.js';
import type { CountPartial, DriftCountStore } from './store.js';

export interface DriftMonitorOptions {
  useCases: readonly AnyUseCase[];
  counts: DriftCountStore;
  reports: DriftReportStore;
  /** A registered version's manifest (the registry's `show`). */
  manifest: (useCase: string, version: string) => Promise<Manifest>;
  telemetry?: Telemetry;
  clock?: () => Date;
  /**
   * Called with every report once it is written and its metrics tracked: where retraining (k of the last n
   * windows breached, cooldown) hooks in.
   */
  onReport?: (report: DriftReport) => Promise<void> | void;
}

export interface DriftRunOptions {
  /** The window, a UTC day (default: today). */
  date?: string;
  /** Default: every use case. */
  useCases?: readonly string[];
  /**
   * Also re-evaluate the day before when counts arrived after its report was written (default: true when
   * no date is given), so traffic after a day's run still lands in that day's final report.
   */
  catchUp?: boolean;
}

export interface DriftWindowResult {
  useCase: string;
  date: string;
  status: 'written' | 'no_data' | 'unchanged';
  reports: DriftReport[];
  paths: string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Merges a window's counts per model version and computes every report of it (primary first). */
export async function evaluateWindow(
  useCase: AnyUseCase,
  date: string,
  partials: readonly CountPartial[],
  manifestOf: DriftMonitorOptions['manifest'],
  generatedAt: string,
): Promise<DriftReport[]> {
  const byVersion = new Map<string, CountPartial[]>();
  for (const p of partials) byVersion.set(p.modelVersion, [...(byVersion.get(p.modelVersion) ?? []), p]);
  const reports: DriftReport[] = [];
  for (const [version, group] of byVersion) {
    const manifest = await manifestOf(useCase.name, version);
    const layout = driftLayout(manifest.reference);
    const merged = emptyCounts(layout);
    for (const partial of group) {
      if (partial.referenceHash !== layout.referenceHash) {
        throw new RiskopsError(
          'contract_violation',
          `Drift counts of ${useCase.name} ${version} (writer ${partial.writer}) were counted in other bins than its manifest's`,
        );
      }
      addCounts(merged, partial);
    }
    const settings = useCase.drift;
    const quantities = layout.profiles.map((profile, i) =>
      quantityDrift(profile, sliceBins(layout, merged.counts, i), settings),
    );
    const score = quantities.pop();
    if (score === undefined) throw new Error('a drift layout always ends with the score');
    const flagged = [
      ...quantities.filter((q) => q.flagged).map((q) => q.name),
      ...(score.flagged ? ['score'] : []),
    ];
    const rowsOf = (source: string) =>
      group.filter((p) => p.source === source).reduce((a, p) => a + p.rows, 0);
    reports.push({
      schemaVersion: 1,
      useCase: useCase.name,
      date,
      generatedAt,
      modelVersion: version,
      referenceHash: layout.referenceHash,
      referenceRows: manifest.reference.rows,
      rows: merged.rows,
      sources: { http: rowsOf('http'), batch: rowsOf('batch') },
      partials: group.length,
      thresholds: { watch: settings.watch, act: settings.act, minRows: settings.minRows },
      features: quantities,
      score,
      flagged,
      breached: flagged.length > 0,
      otherVersions: [],
    });
  }
  reports.sort((a, b) => b.rows - a.rows || a.modelVersion.localeCompare(b.modelVersion));
  for (const report of reports)
    report.otherVersions = reports
      .filter((r) => r !== report)
      .map((r) => ({ modelVersion: r.modelVersion, rows: r.rows }));
  return reports;
}

/**
 * The drift function: per use case, merges the window's counts, computes PSI and the other metrics per
 * feature and on the score, writes report.json and report.html, tracks `riskops.drift.psi` /
 * `riskops.drift.score_psi` (and `DriftDetected` on a breach), calls `onReport`, and flushes telemetry.
 */
export function createDriftMonitor(options: DriftMonitorOptions) {
  const clock = options.clock ?? (() => new Date());

  const emit = (report: DriftReport, reportPath: string) => {
    const t = options.telemetry;
    if (t === undefined) return;
    const common = { useCase: report.useCase, modelVersion: report.modelVersion, window: report.date };
    for (const f of report.features)
      t.trackMetric('riskops.drift.psi', f.psi, { ...common, feature: f.name });
    t.trackMetric('riskops.drift.score_psi', report.score.psi, common);
    if (report.breached) {
      const all = [...report.features, report.score];
      t.trackEvent('DriftDetected', {
        ...common,
        features: report.flagged.join(','),
        maxPsi: Math.max(...all.filter((q) => q.flagged).map((q) => q.psi)),
        report: reportPath,
      });
    }
  };

  const window = async (
    useCase: AnyUseCase,
    date: string,
    onlyIfChanged: boolean,
  ): Promise<DriftWindowResult> => {
    const partials = await options.counts.list(useCase.name, date);
    const result: DriftWindowResult = {
      useCase: useCase.name,
      date,
      status: 'no_data',
      reports: [],
      paths: [],
    };
    if (partials.length === 0) return result;
    if (onlyIfChanged) {
      const previous = await options.reports.read(useCase.name, date);
      const newest =
        partials
          .map((p) => p.updatedAt)
          .sort()
          .at(-1) ?? '';
      if (previous !== null && newest <= previous.generatedAt) return { ...result, status: 'unchanged' };
    }
    const reports = await evaluateWindow(useCase, date, partials, options.manifest, clock().toISOString());
    for (const [i, report] of reports.entries()) {
      const paths = await options.reports.write(report, renderDriftReport(report), i === 0);
      result.paths.push(paths.json, paths.html);
      emit(report, paths.html);
      // Retraining hooks in here: every report, once written and tracked (k-of-n decisions read `breached`).
      await options.onReport?.(report);
    }
    return { ...result, status: 'written', reports };
  };

  return {
    /** Where the reports are (`riskops drift show|report` read them). */
    reports: options.reports,
    /** @throws RiskopsError `invalid_input` for a bad date or an unknown use case. */
    async run(run: DriftRunOptions = {}): Promise<DriftWindowResult[]> {
      if (run.date !== undefined && !(DATE.test(run.date) && !Number.isNaN(Date.parse(run.date)))) {
        throw new RiskopsError('invalid_input', `date must be a UTC day YYYY-MM-DD, got '${run.date}'`);
      }
      const names = run.useCases ?? options.useCases.map((u) => u.name);
      const selected = names.map((name) => findUseCase(options.useCases, name));
      const date = run.date ?? clock().toISOString().slice(0, 10);
      const catchUp = run.catchUp ?? run.date === undefined;
      const previous = new Date(Date.parse(date) - DAY_MS).toISOString().slice(0, 10);
      const results: DriftWindowResult[] = [];
      try {
        for (const useCase of selected) {
          if (catchUp) results.push(await window(useCase, previous, true));
          results.push(await window(useCase, date, false));
        }
      } finally {
        await options.telemetry?.flush();
      }
      return results;
    },
  };
}

export type DriftMonitor = ReturnType<typeof createDriftMonitor>;
