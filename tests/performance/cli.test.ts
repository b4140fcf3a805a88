import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { run as performance } from '../../src/cli/commands/performance.js';
import { SCORING_OUTPUT_CONTAINER } from '../../src/platform/performance/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

const saved = { ...process.env };
const labelsContainer = uniqueName('labels');
const trainingContainer = uniqueName('training');

beforeAll(() => {
  process.env.AzureWebJobsStorage = inject('azuriteConnectionString');
  process.env.RISKOPS_LABELS_CONTAINER = labelsContainer;
  process.env.RISKOPS_TRAINING_DATA_CONTAINER = trainingContainer;
});
afterAll(() => {
  process.env = saved;
});

async function cli(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    expect(await performance(args)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('riskops performance', () => {
  it('prints one row per cohort with its kind, and appends the joined rows', async () => {
    const storage = testStorage();
    const outputs = storage.container(SCORING_OUTPUT_CONTAINER);
    const labels = storage.container(labelsContainer);
    await outputs.createIfNotExists();
    await labels.createIfNotExists();
    // Dates no other test uses: the scoring-output container name is fixed.
    const lines = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        invoice_id: `P-${i}`,
        entityId: `P-${i}`,
        probability: (i + 0.5) / 40,
        modelVersion: 'v7',
      }),
    ).join('\n');
    const put = (c: typeof outputs, name: string, text: string) =>
      c.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
    await put(outputs, 'customer_churn/2001-01-02/run-1/part-0.jsonl', lines);
    await put(outputs, 'customer_churn/2001-01-02/run-1/_SUCCESS.json', '{}');
    const labelRows = Array.from(
      { length: 40 },
      (_, i) => `P-${i},${i % 3 === 0 || i > 30 ? 1 : 0},2001-03-01`,
    );
    await put(
      labels,
      'customer_churn/2001-03-01.csv',
      ['entityId,outcome,observedAt', ...labelRows].join('\n'),
    );

    const realized = await cli(['customer_churn', '--as-of', '2001-04-15', '--lookback-days', '120']);
    expect(realized).toMatch(/^2001-01-02\s+v7\s+realized\s+40\s+40\s+0\.\d{4}/m);
    expect(realized).toContain('appended 40 labeled rows to customer_churn/labels-2001-03-01.jsonl');
    const early = await cli([
      'customer_churn',
      '--as-of',
      '2001-03-05',
      '--lookback-days',
      '120',
      '--no-append',
    ]);
    expect(early).toMatch(/^2001-01-02\s+v7\s+estimated\s+40\s+40\s+.*2001-04-02$/m);
  });

  it('refuses an unknown use case and a malformed date', async () => {
    await expect(performance(['nope'])).rejects.toThrow(/Unknown use case 'nope'/);
    await expect(performance(['late_payment', '--as-of', '30.11.2026'])).rejects.toThrow(/--as-of/);
  });
});
