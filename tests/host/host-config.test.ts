import { describe, expect, it } from 'vitest';
import { isRiskopsError } from '../../src/platform/errors/index.js';
import {
  loadHostConfig,
  parseHostConfig,
  parseTimeSpan,
  serviceBusQueueSettings,
  storageQueueSettings,
} from '../../src/platform/host/index.js';

describe('host.json', () => {
  it('is a v4 host file with the queue, Service Bus, logging and timeout settings', () => {
    const config = loadHostConfig('host.json');
    expect(config.version).toBe('2.0');
    expect(config.extensionBundle).toEqual({
      id: 'Microsoft.Azure.Functions.ExtensionBundle',
      version: '[4.*, 5.0.0)',
    });
    expect(config.extensions.queues).toMatchObject({
      maxPollingInterval: 2000,
      visibilityTimeout: 30_000,
      batchSize: 4,
      maxDequeueCount: 5,
      newBatchThreshold: 2,
      messageEncoding: 'base64',
    });
    expect(config.extensions.serviceBus.maxConcurrentCalls).toBeGreaterThan(0);
    expect(config.functionTimeout).toBeGreaterThan(0);
    expect(config.logging.logLevel.default).toBeDefined();
    expect(config.logging).toHaveProperty('applicationInsights.samplingSettings');
  });

  it('parses TimeSpans, including days and fractions', () => {
    expect(parseTimeSpan('00:00:02')).toBe(2000);
    expect(parseTimeSpan('00:10:00')).toBe(600_000);
    expect(parseTimeSpan('1.02:00:00')).toBe(26 * 3_600_000);
    expect(parseTimeSpan('00:00:00.80')).toBe(800);
    expect(parseTimeSpan('00:61:00')).toBeUndefined();
    expect(parseTimeSpan('2s')).toBeUndefined();
  });

  it("fills the real host's defaults and derives the listener settings", () => {
    const config = parseHostConfig({ version: '2.0' });
    expect(storageQueueSettings(config)).toEqual({
      batchSize: 16,
      newBatchThreshold: 8,
      maxPollingIntervalMs: 60_000,
      visibilityTimeoutMs: 0,
      maxDequeueCount: 5,
      messageEncoding: 'base64',
    });
    const sb = serviceBusQueueSettings(
      parseHostConfig({
        version: '2.0',
        extensions: { serviceBus: { maxConcurrentCalls: 40, maxDeliveryCount: 7 } },
      }),
    );
    expect(sb).toMatchObject({ batchSize: 32, newBatchThreshold: 8, maxDequeueCount: 7 });
  });

  it('lists every bad key', () => {
    try {
      parseHostConfig({
        version: '1.0',
        extensions: { queues: { batchSize: 64, visibilityTimeout: 'soon' } },
      });
      expect.unreachable();
    } catch (error) {
      expect(isRiskopsError(error, 'invalid_settings')).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain('version');
      expect(message).toContain('extensions.queues.batchSize');
      expect(message).toContain("extensions.queues.visibilityTimeout: 'soon' is not a TimeSpan");
    }
  });
});
