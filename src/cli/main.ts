#!/usr/bin/env node
/** The `riskops` command line: one sub-command per file under ./commands, loaded on demand. */
import { isRiskopsError } from '../platform/errors/index.js';
import { exitSoon, storageHint } from './storage-hint.js';

type Command = { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  audit: { summary: 'Find decisions in the decision log', load: () => import('./commands/audit.js') },
  drift: { summary: 'Drift run, report and table', load: () => import('./commands/drift.js') },
  demo: { summary: 'Demos on a running host: demo drift', load: () => import('./commands/demo.js') },
  batch: {
    summary: 'Batch runs: plan, status, retry, offline scoring',
    load: () => import('./commands/batch.js'),
  },
  'export-features': { summary: 'Features as CSV', load: () => import('./commands/export-features.js') },
  models: { summary: 'Model registry and ledger', load: () => import('./commands/models.js') },
  performance: {
    summary: 'Realized and estimated performance per cohort',
    load: () => import('./commands/performance.js'),
  },
  openapi: { summary: 'Write the OpenAPI 3.1 document', load: () => import('./commands/openapi.js') },
  start: { summary: 'Run the functions locally, like func start', load: () => import('./commands/start.js') },
  telemetry: { summary: 'Tail the local telemetry lines', load: () => import('./commands/telemetry.js') },
  train: { summary: 'Train, gate and write a model', load: () => import('./commands/train.js') },
  'use-case': {
    summary: 'Scaffold a use case from a labeled data file',
    load: () => import('./commands/use-case.js'),
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`);
  return `usage: riskops <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`unknown command: ${name}\n\n${usage()}`);
    return 2;
  }
  return (await command.load()).run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    exitSoon();
  },
  (error: unknown) => {
    // Arguments node:util's parseArgs refused (an unknown option, a missing value): a usage error, no stack.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      process.stderr.write(
        `${(error as Error).message}\n(riskops ${process.argv[2] ?? ''} --help shows the options)\n`,
      );
      process.exitCode = 2;
      exitSoon();
      return;
    }
    const hint = storageHint(error);
    process.stderr.write(
      `${isRiskopsError(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n${hint === undefined ? '' : `${hint}\n`}`,
    );
    process.exitCode = 1;
    exitSoon();
  },
);
