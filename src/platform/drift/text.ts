import type { DriftReport } from './report.js';

const fixed = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : 'inf');
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The report's numbers as a terminal table (`riskops drift show`). */
export function formatDriftTable(report: DriftReport): string {
  const header = [
    'QUANTITY',
    'KIND',
    'PSI',
    'CRITICAL',
    'BAND',
    'FLAG',
    'JSD',
    'MISSING REF',
    'MISSING NOW',
    'CHANGE',
    'UNSEEN',
  ];
  const rows = [...report.features, report.score].map((q) => [
    q.name,
    q.kind,
    fixed(q.psi),
    q.critical === null ? '—' : fixed(q.critical),
    q.band,
    q.flagged ? 'ACT' : '',
    fixed(q.jsd),
    pct(q.missing.reference),
    pct(q.missing.current),
    `${(100 * q.missing.change).toFixed(1)}pp`,
    q.unseenShare === null ? '-' : pct(q.unseenShare),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        i === 0 || i === 1 || i === 4 || i === 5 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const title = [
    `${report.useCase} ${report.date} (UTC) · model ${report.modelVersion} · ${report.rows} rows (http ${report.sources.http}, batch ${report.sources.batch})`,
    report.breached ? `DRIFT: ${report.flagged.join(', ')}` : 'no drift flagged',
  ];
  return [...title, '', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
