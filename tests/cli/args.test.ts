import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Runs the built CLI; resolves with its exit code and output whether it succeeded or not. */
async function riskops(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/src/cli/main.js', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('riskops arguments', () => {
  it('answers --help with its usage and an unknown option with exit code 2, the option named, no stack trace', async () => {
    const help = await riskops('batch', 'score', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('score <file> --use-case U --out F');
    const bad = await riskops('batch', 'score', 'day.csv', '--bogus');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--bogus'");
    expect(bad.stderr).toContain('usage: riskops batch');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown option of any command with exit code 2 and a pointer to its --help', async () => {
    const bad = await riskops('performance', 'late_payment', '--bogus');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--bogus'");
    expect(bad.stderr).toContain('riskops performance --help');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
