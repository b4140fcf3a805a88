import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, EVENTS, METRIC_NAMES, METRICS } from '../../src/platform/telemetry/index.js';
import { scanBicep } from './infra-text.js';

/** Every KQL query in infra: the multi-line strings of the alert rules and each query of the workbook. */
function queries(): { where: string; query: string }[] {
  const found: { where: string; query: string }[] = [];
  for (const file of [
    'infra/modules/alerts.bicep',
    'infra/modules/monitoring.bicep',
    'infra/modules/workbook.bicep',
  ]) {
    const code = scanBicep(readFileSync(file, 'utf8')).code;
    for (const match of code.matchAll(/'''([\s\S]*?)'''/g))
      found.push({ where: file, query: match[1] ?? '' });
  }
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'query' && typeof value === 'string')
          found.push({ where: 'infra/workbooks/riskops.workbook.json', query: value });
        else walk(value);
      }
    }
  };
  walk(JSON.parse(readFileSync('infra/workbooks/riskops.workbook.json', 'utf8')));
  return found;
}

/** The string literals a query compares `name` with (`name == 'x'`, `name in ('x', 'y')`). */
function namesCompared(query: string): string[] {
  const names: string[] = [];
  for (const clause of query.matchAll(/\bname\s*(?:==\s*'[^']*'|in\s*\([^)]*\))/g))
    for (const literal of clause[0].matchAll(/'([^']*)'/g)) names.push(literal[1] ?? '');
  return names;
}

describe('telemetry names in infra (alerts and workbook) and in the app are one list', () => {
  const all = queries();
  const metrics = new Set<string>();
  const events = new Set<string>();
  const dimensions = new Set<string>();
  for (const { query } of all) {
    for (const name of query.match(/riskops\.[a-z_]+(?:\.[a-z_]+)+/g) ?? []) metrics.add(name);
    if (/\bcustomMetrics\b/.test(query)) for (const name of namesCompared(query)) metrics.add(name);
    if (/\bcustomEvents\b/.test(query)) for (const name of namesCompared(query)) events.add(name);
    for (const match of query.matchAll(/customDimensions\.(\w+)/g)) dimensions.add(match[1] ?? '');
  }

  it('finds the queries', () => {
    expect(all.filter((q) => q.where.endsWith('alerts.bicep')).length).toBeGreaterThanOrEqual(6);
    expect(all.filter((q) => q.where.endsWith('.json')).length).toBeGreaterThanOrEqual(10);
  });

  it('infra names only metrics and events the app emits', () => {
    expect([...metrics].filter((m) => !(METRIC_NAMES as string[]).includes(m))).toEqual([]);
    expect([...events].filter((e) => !(EVENT_NAMES as string[]).includes(e))).toEqual([]);
  });

  it('every metric and event the app emits is alerted on or shown in the workbook', () => {
    expect(METRIC_NAMES.filter((m) => !metrics.has(m))).toEqual([]);
    expect(EVENT_NAMES.filter((e) => !events.has(e))).toEqual([]);
  });

  it('infra reads only dimensions the list declares', () => {
    const declared = new Set<string>();
    for (const d of Object.values(METRICS))
      for (const k of [...d.dimensions, ...('optional' in d ? d.optional : [])]) declared.add(k);
    for (const e of Object.values(EVENTS))
      for (const k of [...e.properties, ...('optional' in e ? e.optional : [])]) declared.add(k);
    expect([...dimensions].filter((d) => !declared.has(d))).toEqual([]);
    expect(dimensions.size).toBeGreaterThan(5);
  });
});
