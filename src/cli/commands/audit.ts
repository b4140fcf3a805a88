/** `riskops audit find`: decisions from the decision log, by entity or by day. */
import { parseArgs } from 'node:util';
import { createDecisionReaderFromSettings, type DecisionRecord } from '../../platform/audit/index.js';
import { loadSettings } from '../../platform/config/index.js';
import { RiskopsError } from '../../platform/errors/index.js';
import { createStorageClients, storageConnectionFrom } from '../../platform/storage/index.js';
import { USE_CASES } from '../../use_cases/index.js';

const USAGE = `usage: riskops audit find [useCase...] (--entity ID | --date YYYY-MM-DD) [--limit N] [--json]

  --entity ID      every decision about this entity (with --date: that day only)
  --date D         every decision of that UTC day
  --limit N        at most N decisions per use case (default 1000)
  --json           one JSON record per line (PII fields are keyed hashes, never clear text)

All use cases are searched unless some are named.
`;

function line(r: DecisionRecord): string {
  const reasons = (r.reasons ?? []).map((x) => x.feature).join(',') || '-';
  return [
    r.time,
    r.useCase,
    r.entityId,
    r.role,
    r.modelVersion,
    r.probability.toFixed(4),
    r.band,
    reasons,
    r.requestId,
    r.caller,
  ].join('\t');
}

export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        entity: { type: 'string' },
        date: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new RiskopsError('invalid_input', `${(error as Error).message}\n\n${USAGE}`);
  }
  const [sub, ...names] = parsed.positionals;
  if (sub === undefined || parsed.values.help === true) {
    process.stdout.write(USAGE);
    return parsed.values.help === true ? 0 : 2;
  }
  if (sub !== 'find') throw new RiskopsError('invalid_input', `unknown audit command ${sub}\n\n${USAGE}`);
  const entity = parsed.values.entity as string | undefined;
  const date = parsed.values.date as string | undefined;
  if (entity === undefined && date === undefined)
    throw new RiskopsError('invalid_input', `give --entity or --date\n\n${USAGE}`);
  if (date !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))))
    throw new RiskopsError('invalid_input', `--date must be YYYY-MM-DD, not ${date}`);
  const limit = parsed.values.limit === undefined ? 1000 : Number(parsed.values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new RiskopsError('invalid_input', '--limit must be an integer ≥ 1');
  const known = USE_CASES.map((u) => u.name);
  for (const name of names)
    if (!known.includes(name))
      throw new RiskopsError('invalid_input', `unknown use case ${name}; known: ${known.join(', ')}`);

  const settings = loadSettings({ localSettingsPath: 'local.settings.json' });
  const storage = createStorageClients(storageConnectionFrom(settings));
  const log = createDecisionReaderFromSettings(settings, storage);
  let count = 0;
  for (const useCase of names.length > 0 ? names : known) {
    const found = await log.find({
      useCase,
      limit,
      ...(entity === undefined ? {} : { entityId: entity }),
      ...(date === undefined ? {} : { date }),
    });
    for (const record of found) {
      process.stdout.write(`${parsed.values.json === true ? JSON.stringify(record) : line(record)}\n`);
      count++;
    }
  }
  if (parsed.values.json !== true) process.stderr.write(`${count} decision(s)\n`);
  return 0;
}
