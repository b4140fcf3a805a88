import type { PerformanceReport } from './evaluate.js';

const num = (x: number | null, digits = 4): string =>
  x === null || Number.isNaN(x) ? '-' : x.toFixed(digits);

/** The cohort table `riskops performance` prints. */
export function cohortTable(report: PerformanceReport): string {
  const header = [
    'cohort',
    'model',
    'kind',
    'scored',
    'labeled',
    'AUC',
    'Brier',
    'ECE',
    'pred',
    'obs',
    'est AUC',
    'matures',
  ];
  const rows = report.cohorts.map((c) => [
    c.scoredOn,
    c.modelVersion,
    c.kind,
    String(c.scored),
    String(c.labeled),
    num(c.auc),
    num(c.brier),
    num(c.ece),
    num(c.meanPredicted, 3),
    num(c.observedRate, 3),
    num(c.estimate.auc),
    c.matured ? 'matured' : c.maturesOn,
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, j) => c.padEnd(widths[j] ?? 0))
      .join('  ')
      .trimEnd();
  const { labels } = report;
  const lines = [
    `${report.useCase} performance as of ${report.asOf}`,
    `labels: ${labels.rows} rows in ${labels.files} files, ${labels.rejected} rejected, ${labels.duplicates} duplicates, ${labels.unmatched} without a score`,
    '',
    report.cohorts.length === 0
      ? 'no scored cohorts in the lookback window'
      : [line(header), ...rows.map(line)].join('\n'),
  ];
  for (const r of report.rejects.slice(0, 5)) lines.push(`  rejected ${r.file}:${r.line}: ${r.reason}`);
  if (report.rejects.length > 5) lines.push(`  … ${report.rejects.length - 5} more rejected label rows`);
  for (const t of report.trainingRows) lines.push(`appended ${t.rows} labeled rows to ${t.blob}`);
  return `${lines.join('\n')}\n`;
}
