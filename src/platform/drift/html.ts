import type { DriftReport, QuantityDrift } from './report.js';

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
const fixed = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : '∞');
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const shares = (counts: readonly number[]): number[] => {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (n === 0 ? 0 : c / n));
};

const COLORS = {
  reference: '#8c9bab',
  current: '#1f6feb',
  stable: '#2da44e',
  watch: '#d29922',
  act: '#cf222e',
};

interface Series {
  name: string;
  values: readonly number[];
  color: string;
}

/** Grouped vertical bars (shares), one group per label. */
function groupedBars(
  title: string,
  labels: readonly string[],
  series: readonly Series[],
  width = 420,
): string {
  const height = 210;
  const left = 40;
  const bottom = 58;
  const top = 24;
  const plotW = width - left - 10;
  const plotH = height - top - bottom;
  const max = Math.max(0.01, ...series.flatMap((s) => s.values));
  const group = plotW / Math.max(1, labels.length);
  const barW = Math.max(1, (group * 0.8) / series.length);
  const parts: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    const y = top + plotH - (plotH * t) / 4;
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y}" y2="${y}" stroke="#e1e4e8"/>`);
    parts.push(`<text x="${left - 4}" y="${y + 3}" text-anchor="end" class="tick">${pct(v)}</text>`);
  }
  labels.forEach((label, i) => {
    series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      const h = (plotH * v) / max;
      const x = left + i * group + group * 0.1 + k * barW;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${escapeHtml(`${label} — ${s.name}: ${pct(v)}`)}</title></rect>`,
      );
    });
    const x = left + i * group + group / 2;
    const short = label.length > 14 ? `${label.slice(0, 13)}…` : label;
    parts.push(
      `<text transform="translate(${x.toFixed(1)},${top + plotH + 8}) rotate(40)" class="tick">${escapeHtml(short)}</text>`,
    );
  });
  const legend = series
    .map(
      (s, k) =>
        `<rect x="${left + k * 90}" y="6" width="10" height="10" fill="${s.color}"/><text x="${left + 14 + k * 90}" y="15" class="tick">${escapeHtml(s.name)}</text>`,
    )
    .join('');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg class="chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${legend}${parts.join('')}</svg></figure>`;
}

/** Horizontal PSI bars with the watch and act bands. */
function psiChart(report: DriftReport): string {
  const items = [...report.features, { ...report.score, name: 'score' }];
  const width = 760;
  const row = 20;
  const left = 190;
  const top = 26;
  const height = top + items.length * row + 30;
  const plotW = width - left - 70;
  const max = Math.max(report.thresholds.act * 1.5, ...items.map((q) => q.psi)) * 1.05;
  const x = (v: number) => left + (plotW * Math.min(v, max)) / max;
  const parts: string[] = [];
  parts.push(
    `<rect x="${x(report.thresholds.watch)}" y="${top}" width="${x(report.thresholds.act) - x(report.thresholds.watch)}" height="${items.length * row}" fill="#fff8c5"/>`,
  );
  parts.push(
    `<rect x="${x(report.thresholds.act)}" y="${top}" width="${left + plotW - x(report.thresholds.act)}" height="${items.length * row}" fill="#ffebe9"/>`,
  );
  for (const [label, v] of [
    [`watch ${report.thresholds.watch}`, report.thresholds.watch],
    [`act ${report.thresholds.act}`, report.thresholds.act],
  ] as const) {
    parts.push(
      `<line x1="${x(v)}" x2="${x(v)}" y1="${top - 4}" y2="${top + items.length * row}" stroke="#57606a" stroke-dasharray="4 3"/>`,
    );
    parts.push(`<text x="${x(v)}" y="${top - 8}" text-anchor="middle" class="tick">${label}</text>`);
  }
  items.forEach((q, i) => {
    const y = top + i * row;
    parts.push(
      `<text x="${left - 6}" y="${y + 14}" text-anchor="end" class="label">${escapeHtml(q.name)}${q.flagged ? ' ⚑' : ''}</text>`,
    );
    parts.push(
      `<rect x="${left}" y="${y + 4}" width="${(x(q.psi) - left).toFixed(1)}" height="${row - 8}" fill="${COLORS[q.band]}"><title>${escapeHtml(`${q.name}: PSI ${fixed(q.psi)} (critical ${q.critical === null ? '—' : fixed(q.critical)})`)}</title></rect>`,
    );
    parts.push(`<text x="${(x(q.psi) + 4).toFixed(1)}" y="${y + 14}" class="tick">${fixed(q.psi, 3)}</text>`);
  });
  return `<figure><figcaption>PSI per feature and on the score (bands: stable &lt; ${report.thresholds.watch} ≤ watch &lt; ${report.thresholds.act} ≤ act)</figcaption><svg class="chart" id="psi-chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg></figure>`;
}

function histogram(q: QuantityDrift, title = `${q.name} — PSI ${fixed(q.psi, 3)} (${q.band})`): string {
  return groupedBars(title, q.bins.labels, [
    { name: 'reference', values: shares(q.bins.reference), color: COLORS.reference },
    { name: 'current', values: shares(q.bins.current), color: COLORS.current },
  ]);
}

function table(report: DriftReport): string {
  const rows = [...report.features, report.score].map(
    (q) =>
      `<tr class="${q.band}"><td>${escapeHtml(q.name)}</td><td>${q.kind}</td><td>${fixed(q.psi)}</td><td>${q.critical === null ? '—' : fixed(q.critical)}</td><td>${q.band}</td><td>${q.flagged ? 'yes' : ''}</td><td>${fixed(q.jsd)}</td><td>${pct(q.missing.reference)}</td><td>${pct(q.missing.current)}</td><td>${(100 * q.missing.change).toFixed(1)} pp</td><td>${q.unseenShare === null ? '—' : pct(q.unseenShare)}</td></tr>`,
  );
  return `<table><thead><tr><th>quantity</th><th>kind</th><th>PSI</th><th>critical</th><th>band</th><th>flagged</th><th>JS distance</th><th>missing (ref)</th><th>missing (now)</th><th>missing change</th><th>unseen</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The drift report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched. */
export function renderDriftReport(report: DriftReport): string {
  const status = report.breached
    ? `<p class="status act">Drift: ${escapeHtml(report.flagged.join(', '))} in the act band (PSI ≥ ${report.thresholds.act}, above the critical value)</p>`
    : `<p class="status stable">No feature or score drift flagged</p>`;
  const missing = groupedBars(
    'Missing rate per feature: reference vs current',
    report.features.map((f) => f.name),
    [
      { name: 'reference', values: report.features.map((f) => f.missing.reference), color: COLORS.reference },
      { name: 'current', values: report.features.map((f) => f.missing.current), color: COLORS.current },
    ],
    760,
  );
  const others = report.otherVersions.map((o) => `${escapeHtml(o.modelVersion)} (${o.rows} rows)`).join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drift — ${escapeHtml(report.useCase)} ${escapeHtml(report.date)}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#57606a}.status{padding:8px 12px;border-radius:6px;display:inline-block;font-weight:600}
.status.act{background:#ffebe9;color:#a40e26}.status.stable{background:#dafbe1;color:#116329}
figure{display:inline-block;margin:6px 12px 6px 0;vertical-align:top}figcaption{font-weight:600;margin-bottom:2px}
.tick{font-size:10px;fill:#57606a}.label{font-size:12px;fill:#1f2328}
table{border-collapse:collapse;margin-top:8px}th,td{border-bottom:1px solid #d0d7de;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}tr.act td{background:#fff5f5}tr.watch td{background:#fffbea}
</style></head><body>
<h1>Drift report — ${escapeHtml(report.useCase)}, ${escapeHtml(report.date)} (UTC)</h1>
<p class="meta">Model ${escapeHtml(report.modelVersion)} · ${report.rows.toLocaleString('en')} rows scored (HTTP ${report.sources.http.toLocaleString('en')}, batch ${report.sources.batch.toLocaleString('en')}) from ${report.partials} partial counts · reference ${report.referenceRows.toLocaleString('en')} rows, ${escapeHtml(report.referenceHash.slice(0, 12))} · generated ${escapeHtml(report.generatedAt)}${others === '' ? '' : ` · also scored: ${others}`}</p>
${status}
<h2>PSI</h2>
${psiChart(report)}
<h2>Score distribution</h2>
${histogram(report.score, `score — PSI ${fixed(report.score.psi, 3)} (${report.score.band})`)}
<h2>Missing values</h2>
${missing}
<h2>Features: reference vs current</h2>
${report.features.map((f) => histogram(f)).join('\n')}
<h2>Numbers</h2>
${table(report)}
<p class="meta">PSI = Σ (q − p)·ln(q / p) over the model's frozen bins with shares smoothed by α = 0.5; critical = χ²₀.₉₅(B−1)·(1/n_ref + 1/n); flagged = act band, above critical, window ≥ ${report.thresholds.minRows} rows. JS distance in base 2.</p>
</body></html>
`;
}
