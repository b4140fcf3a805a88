import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InferenceSession } from 'onnxruntime-node';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  type CountPartial,
  countAll,
  type DriftReport,
  evaluateWindow,
  renderDriftReport,
} from '../../src/platform/drift/index.js';
import { ManifestSchema } from '../../src/platform/model/index.js';
import { scoreValidated } from '../../src/platform/scoring/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';

/** Debian's `chromium` package (.ci/run installs it); RISKOPS_CHROMIUM names another Chromium-based browser. */
const CHROMIUM = process.env.RISKOPS_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A real report: a generated day with drift in `amount` and some missing values, scored by the shipped model. */
async function driftedReport(): Promise<DriftReport> {
  const manifest = ManifestSchema.parse(
    JSON.parse(readFileSync('models/late_payment/manifest.json', 'utf8')),
  );
  const session = await InferenceSession.create(readFileSync('models/late_payment/model.onnx'));
  try {
    const model = {
      useCase: latePayment.name,
      version: '20261201T000000Z-000000000000',
      sha256: manifest.onnx.sha256,
      manifest,
      session,
    };
    const records = latePayment
      .generate({ rows: 3000, seed: 31, dataDrift: { amount: 1, channel: 1 }, missingRate: 0.15 })
      .map((row) => latePayment.schema.parse(row));
    const probabilities = (await scoreValidated(latePayment, model, records)).map((s) => s.probability);
    const counts = countAll(latePayment, model, records, probabilities);
    const partial: CountPartial = {
      ...counts,
      useCase: latePayment.name,
      date: '2026-12-01',
      modelVersion: model.version,
      source: 'batch',
      slot: 'batch',
      writer: 'batch-test',
      updatedAt: '2026-12-01T06:00:00.000Z',
    };
    const [report] = await evaluateWindow(
      latePayment,
      '2026-12-01',
      [partial],
      async () => manifest,
      '2026-12-01T06:30:00.000Z',
    );
    if (report === undefined) throw new Error('no report');
    return report;
  } finally {
    await session.release();
  }
}

describe('report.html', () => {
  it('is one self-contained page that renders in headless Chromium without console errors', async () => {
    expect(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does), or set RISKOPS_CHROMIUM`,
    ).toBe(true);
    const report = await driftedReport();
    expect(report.flagged).toContain('amount');
    const html = renderDriftReport(report);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|https?:\/\//i);
    const dir = mkdtempSync(join(tmpdir(), 'riskops-report-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, html);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) problems.push(`fetched ${request.url()}`);
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const charts = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          return { width: box.width, height: box.height, bars: svg.querySelectorAll('rect').length };
        }),
      );
      // PSI, score, missing rates, then one histogram per feature.
      expect(charts).toHaveLength(3 + latePayment.features.inputs.length);
      for (const chart of charts) {
        expect(chart.width).toBeGreaterThan(100);
        expect(chart.height).toBeGreaterThan(100);
        expect(chart.bars).toBeGreaterThan(2);
      }
      const flaggedRow = await page.$$eval('tr.act td:first-child', (cells) =>
        cells.map((c) => c.textContent),
      );
      expect(flaggedRow).toContain('amount');
      const shot = join(dir, 'drift-report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      if (process.env.RISKOPS_UPDATE_SCREENSHOTS === '1') {
        await page.setViewportSize({ width: 1280, height: 1500 });
        await page.screenshot({ path: 'docs/drift-report.png' });
      }
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
