import { afterEach, beforeEach } from 'vitest';

/** Library code reports through telemetry, never `console.*`: a call from src/platform or src/use_cases fails. */
const LIBRARY = /[/\\]src[/\\](platform|use_cases)[/\\](?!host[/\\])/;
const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
const originals = new Map<string, (...args: unknown[]) => void>();
let stray: string[] = [];

beforeEach(() => {
  stray = [];
  for (const method of METHODS) {
    const original = console[method];
    originals.set(method, original);
    console[method] = (...args: unknown[]) => {
      const stack = new Error().stack?.split('\n').slice(2).join('\n') ?? '';
      if (LIBRARY.test(stack.split('\n')[0] ?? ''))
        stray.push(`console.${method}: ${String(args[0])}\n${stack}`);
      original.apply(console, args);
    };
  }
});

afterEach(() => {
  for (const method of METHODS) {
    const original = originals.get(method);
    if (original) console[method] = original;
  }
  if (stray.length > 0) throw new Error(`library code wrote to the console:\n${stray.join('\n\n')}`);
});
