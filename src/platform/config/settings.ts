import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

const containerName = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/, 'must be a valid container name');
const queueName = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/, 'must be a valid queue name');
const tableName = z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid table name');

/**
 * Every setting the app reads, by its environment name. Parsed once at start; an invalid value fails
 * the start with a message that lists each bad key. Names follow Azure Functions conventions where one
 * exists (`AzureWebJobsStorage`, `AzureWebJobsStorage__blobServiceUri`, `APPLICATIONINSIGHTS_CONNECTION_STRING`).
 */
export const SettingsSchema = z.object({
  AzureWebJobsStorage: z.string().min(1).optional(),
  AzureWebJobsStorage__blobServiceUri: z.url().optional(),
  AzureWebJobsStorage__queueServiceUri: z.url().optional(),
  AzureWebJobsStorage__tableServiceUri: z.url().optional(),
  AzureWebJobsStorage__clientId: z.string().min(1).optional(),
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().min(1).optional(),
  RISKOPS_ENVIRONMENT: z.enum(['local', 'test', 'azure']).default('local'),
  RISKOPS_DATA_DIR: z.string().min(1).default('.riskops'),
  RISKOPS_EMBEDDED_AZURITE: bool.default(true),
  RISKOPS_AZURITE_BLOB_PORT: port.default(10000),
  RISKOPS_AZURITE_QUEUE_PORT: port.default(10001),
  RISKOPS_AZURITE_TABLE_PORT: port.default(10002),
  RISKOPS_HTTP_PORT: port.default(7071),
  RISKOPS_MODELS_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/, 'must be a valid container name')
    .default('models'),
  RISKOPS_SEED_MODELS_DIR: z.string().min(1).default('models'),
  RISKOPS_SEED_ON_START: bool.default(true),
  RISKOPS_ALIAS_REFRESH_MS: positiveInt.default(2000),
  RISKOPS_LEDGER_TABLE: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid table name')
    .default('modelledger'),
  RISKOPS_REQUIRE_APPROVAL: bool.optional(),
  RISKOPS_ACTOR: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'must be printable')
    .optional(),
  RISKOPS_MAX_REQUEST_BYTES: positiveInt.default(1_048_576),
  RISKOPS_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // Serving resilience (issue 7): storage timeouts off the request path, health probes, retry back-off.
  RISKOPS_STORAGE_FAST_TIMEOUT_MS: positiveInt.default(2000),
  RISKOPS_HEALTH_TIMEOUT_MS: positiveInt.default(2500),
  RISKOPS_RETRY_MAX_MS: positiveInt.default(10_000),
  // Decisions (issue 9): decision log, reasons, champion/challenger in production, local host keys.
  RISKOPS_AUDIT_TABLE: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid table name')
    .default('decisions'),
  RISKOPS_AUDIT_HMAC_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  RISKOPS_AUDIT_ENTITY_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(8),
  RISKOPS_AUDIT_TIMEOUT_MS: positiveInt.default(5000),
  RISKOPS_SHADOW_USE_CASES: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  RISKOPS_CANARY_SHARES: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const shares: Record<string, number> = {};
      for (const part of v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')) {
        const [name, share] = part.split('=');
        const value = Number(share);
        if (name === undefined || name === '' || share === undefined || !(value >= 0 && value <= 1)) {
          ctx.addIssue({ code: 'custom', message: `'${part}' must be useCase=share with share in [0, 1]` });
          return z.NEVER;
        }
        shares[name] = value;
      }
      return shares;
    }),
  RISKOPS_SCORE_MICROBATCH: bool.default(false),
  RISKOPS_HOST_MASTER_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  RISKOPS_HOST_FUNCTION_KEYS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const keys: Record<string, string> = {};
      for (const part of v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')) {
        const at = part.indexOf(':');
        const name = at > 0 ? part.slice(0, at) : 'default';
        const value = at > 0 ? part.slice(at + 1) : part;
        if (value.length < 16) {
          ctx.addIssue({ code: 'custom', message: `key '${name}' must be at least 16 characters` });
          return z.NEVER;
        }
        keys[name] = value;
      }
      return keys;
    }),
  // Drift monitoring and telemetry (issue 10).
  RISKOPS_DRIFT_COUNTS_TABLE: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid table name')
    .default('driftcounts'),
  RISKOPS_DRIFT_REPORTS_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/, 'must be a valid container name')
    .default('drift-reports'),
  RISKOPS_DRIFT_FLUSH_MS: positiveInt.default(5000),
  RISKOPS_DRIFT_SCHEDULE: z.string().min(1).default('0 30 5 * * *'),
  // Batch and event scoring (src/platform/batch): nightly plan, chunk fan-out, outputs, local consumers.
  RISKOPS_BATCH_SCHEDULE: z.string().min(1).default('0 0 2 * * *'),
  RISKOPS_BATCH_INPUT_CONTAINER: containerName.default('scoring-input'),
  RISKOPS_BATCH_OUTPUT_CONTAINER: containerName.default('scoring-output'),
  RISKOPS_BATCH_RUNS_TABLE: tableName.default('batchruns'),
  RISKOPS_BATCH_CHUNK_QUEUE: queueName.default('score-chunks'),
  RISKOPS_EVENTS_QUEUE: queueName.default('score-requests'),
  RISKOPS_EVENTS_RESULTS_QUEUE: queueName.default('score-results'),
  RISKOPS_BATCH_CHUNK_ROWS: positiveInt.default(100_000),
  RISKOPS_BATCH_SCORE_ROWS: positiveInt.default(2048),
  RISKOPS_BATCH_ONNX_WORKER: bool.default(true),
  RISKOPS_BATCH_OUTPUT_FORMAT: z.enum(['jsonl', 'csv']).default('jsonl'),
  RISKOPS_BATCH_MAX_REJECTED_SHARE: z.coerce.number().min(0).max(1).default(0.05),
  RISKOPS_BATCH_SEED_INPUT_ROWS: z.coerce.number().int().min(0).default(2000),
  RISKOPS_QUEUE_CONSUMERS: z.coerce.number().int().min(1).max(16).default(1),
  // Model registry security (issue 7): the write-once copy of the ledger.
  RISKOPS_LEDGER_ARCHIVE_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/, 'must be a valid container name')
    .optional(),
  // Retraining loop and delayed labels (issue 11). The Service Bus names are the Functions extension's
  // (`connection: 'ServiceBusConnection'`): a connection string, or the namespace with a managed identity.
  // With neither, retrain requests go to the Azurite queue of the same name (the local host's stand-in).
  ServiceBusConnection: z.string().min(1).optional(),
  ServiceBusConnection__fullyQualifiedNamespace: z.string().min(1).optional(),
  ServiceBusConnection__clientId: z.string().min(1).optional(),
  RISKOPS_RETRAIN_TABLE: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid table name')
    .default('retrainstate'),
  RISKOPS_TRAINING_DATA_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/, 'must be a valid container name')
    .default('training-data'),
  RISKOPS_LABELS_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/, 'must be a valid container name')
    .default('labels'),
  // Decision log spool (issues 7 + 9): a write-ahead journal on local disk while the table is unreachable.
  RISKOPS_AUDIT_SPOOL: bool.default(true),
  RISKOPS_AUDIT_SPOOL_AFTER_MS: positiveInt.default(1000),
  RISKOPS_AUDIT_SPOOL_REPLAY_MS: positiveInt.default(2000),
  RISKOPS_AUDIT_SPOOL_MAX_MB: positiveInt.default(512),
  // Decision log commits (issue 9): append blobs (write-once in Azure) with a table index, or table rows.
  RISKOPS_AUDIT_COMMIT: z.enum(['blob', 'table']).default('blob'),
  RISKOPS_AUDIT_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/, 'must be a valid container name')
    .default('decisionlog'),
  RISKOPS_AUDIT_INDEX_SCHEDULE: z.string().min(1).default('*/30 * * * * *'),
  RISKOPS_AUDIT_INDEX_LOOKBACK_DAYS: z.coerce.number().int().min(0).max(30).default(2),
});

/** The storage connection needs a connection string, or all three service URIs (managed identity). */
export function storageConnectionIssue(
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (values.AzureWebJobsStorage !== undefined) return undefined;
  const uris = ['blobServiceUri', 'queueServiceUri', 'tableServiceUri'].map(
    (s) => values[`AzureWebJobsStorage__${s}`],
  );
  if (uris.every((u) => u !== undefined)) return undefined;
  return 'set a connection string, or all of AzureWebJobsStorage__blobServiceUri, __queueServiceUri and __tableServiceUri (managed identity)';
}

export type Settings = z.output<typeof SettingsSchema>;

/** The setting names, for documentation and the sample file. */
export const SETTING_NAMES = Object.keys(SettingsSchema.shape) as (keyof Settings)[];

/**
 * The default of a setting as the text an app setting would hold, for `%NAME%` references the local host
 * resolves when the environment does not set them (Azure's host reads app settings, which infra sets).
 */
export function settingDefault(name: string): string | undefined {
  const schema = (SettingsSchema.shape as Record<string, z.ZodType>)[name];
  const parsed = schema?.safeParse(undefined);
  return parsed?.success && parsed.data !== undefined ? String(parsed.data) : undefined;
}
