import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SettingsSchema, storageConnectionIssue } from '../../src/platform/config/settings.js';
import { PERFORMANCE_METRICS } from '../../src/platform/performance/index.js';
import { storageConnectionFrom } from '../../src/platform/storage/index.js';
import {
  blockAfter,
  blockAt,
  entries,
  literal,
  modules,
  outputs,
  params,
  type Scan,
  scanBicep,
  yamlPaths,
} from './infra-text.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const bicep = (path: string): Scan => scanBicep(read(path));
/** How azd writes an environment variable reference in a parameters file. */
const azdVariable = (name: string) => `\${${name}}`;

const MODULES = [
  'storage',
  'monitoring',
  'servicebus',
  'identity',
  'functionapp',
  'roles',
  'alerts',
  'workbook',
];

/** Built-in role ids, as listed in the Azure built-in roles reference (storage, integration, monitor pages). */
const BUILT_IN_ROLES = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39',
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
};
/** Roles that must never be granted: they reach every container, or manage the whole namespace. */
const TOO_BROAD = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  serviceBusDataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419',
};

/** Settings the host or an Azure SDK reads, which the app's own schema rightly does not list. */
const HOST_SETTINGS = new Set([
  'AzureWebJobsStorage__credential',
  'ServiceBusConnection__fullyQualifiedNamespace',
  'ServiceBusConnection__credential',
  'ServiceBusConnection__clientId',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'AZURE_CLIENT_ID',
]);

/** Replaced by functionAppConfig on Flex Consumption, or meaningless there ("Flex Consumption plan deprecations"). */
const FLEX_DEPRECATED = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_MOUNT_ENABLED',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
  'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT',
  'WEBSITE_TIME_ZONE',
];

type SettingName = keyof typeof SettingsSchema.shape;

/**
 * Where each app setting comes from in Azure. A new key in SettingsSchema fails the test below until it is
 * placed here, so a setting the app needs in Azure cannot silently fall back to its local default.
 */
const IN_AZURE: Record<SettingName, 'set' | 'default' | 'local-only'> = {
  AzureWebJobsStorage: 'local-only',
  AzureWebJobsStorage__blobServiceUri: 'set',
  AzureWebJobsStorage__queueServiceUri: 'set',
  AzureWebJobsStorage__tableServiceUri: 'set',
  AzureWebJobsStorage__clientId: 'set',
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'set',
  RISKOPS_ENVIRONMENT: 'set',
  RISKOPS_DATA_DIR: 'set',
  RISKOPS_EMBEDDED_AZURITE: 'set',
  RISKOPS_AZURITE_BLOB_PORT: 'local-only',
  RISKOPS_AZURITE_QUEUE_PORT: 'local-only',
  RISKOPS_AZURITE_TABLE_PORT: 'local-only',
  RISKOPS_HTTP_PORT: 'local-only',
  RISKOPS_MODELS_CONTAINER: 'set',
  RISKOPS_SEED_MODELS_DIR: 'default',
  RISKOPS_SEED_ON_START: 'default',
  RISKOPS_ALIAS_REFRESH_MS: 'default',
  RISKOPS_LEDGER_TABLE: 'set',
  RISKOPS_REQUIRE_APPROVAL: 'set',
  RISKOPS_ACTOR: 'default',
  RISKOPS_MAX_REQUEST_BYTES: 'default',
  RISKOPS_LOG_LEVEL: 'default',
  RISKOPS_STORAGE_FAST_TIMEOUT_MS: 'default',
  RISKOPS_HEALTH_TIMEOUT_MS: 'default',
  RISKOPS_RETRY_MAX_MS: 'default',
  RISKOPS_AUDIT_TABLE: 'set',
  RISKOPS_AUDIT_HMAC_KEY: 'set',
  RISKOPS_AUDIT_ENTITY_PARTITIONS: 'default',
  RISKOPS_AUDIT_TIMEOUT_MS: 'default',
  RISKOPS_SHADOW_USE_CASES: 'default',
  RISKOPS_CANARY_SHARES: 'default',
  RISKOPS_SCORE_MICROBATCH: 'default',
  RISKOPS_HOST_MASTER_KEY: 'local-only',
  RISKOPS_HOST_FUNCTION_KEYS: 'local-only',
  RISKOPS_DRIFT_COUNTS_TABLE: 'set',
  RISKOPS_DRIFT_REPORTS_CONTAINER: 'set',
  RISKOPS_DRIFT_FLUSH_MS: 'default',
  RISKOPS_DRIFT_SCHEDULE: 'set',
  RISKOPS_BATCH_SCHEDULE: 'set',
  RISKOPS_BATCH_INPUT_CONTAINER: 'default',
  RISKOPS_BATCH_OUTPUT_CONTAINER: 'default',
  RISKOPS_BATCH_RUNS_TABLE: 'default',
  RISKOPS_BATCH_CHUNK_QUEUE: 'set',
  RISKOPS_EVENTS_QUEUE: 'set',
  RISKOPS_EVENTS_RESULTS_QUEUE: 'default',
  RISKOPS_BATCH_CHUNK_ROWS: 'default',
  RISKOPS_BATCH_SCORE_ROWS: 'default',
  RISKOPS_BATCH_ONNX_WORKER: 'default',
  RISKOPS_BATCH_OUTPUT_FORMAT: 'default',
  RISKOPS_BATCH_MAX_REJECTED_SHARE: 'default',
  RISKOPS_BATCH_SEED_INPUT_ROWS: 'local-only',
  RISKOPS_QUEUE_CONSUMERS: 'local-only',
  RISKOPS_LEDGER_ARCHIVE_CONTAINER: 'set',
  RISKOPS_AUDIT_COMMIT: 'set',
  RISKOPS_AUDIT_CONTAINER: 'set',
  RISKOPS_AUDIT_INDEX_SCHEDULE: 'default',
  RISKOPS_AUDIT_INDEX_LOOKBACK_DAYS: 'default',
  ServiceBusConnection: 'local-only',
  ServiceBusConnection__fullyQualifiedNamespace: 'set',
  ServiceBusConnection__clientId: 'set',
  RISKOPS_RETRAIN_TABLE: 'default',
  RISKOPS_TRAINING_DATA_CONTAINER: 'default',
  RISKOPS_LABELS_CONTAINER: 'default',
  RISKOPS_AUDIT_SPOOL: 'default',
  RISKOPS_AUDIT_SPOOL_AFTER_MS: 'default',
  RISKOPS_AUDIT_SPOOL_REPLAY_MS: 'default',
  RISKOPS_AUDIT_SPOOL_MAX_MB: 'default',
};

function appSettings(): Map<string, string> {
  return entries(blockAfter(bicep('infra/modules/functionapp.bicep'), /^var appSettings\s*=\s*\{/m));
}

/** The environment the app sees: literals as written, expressions as a placeholder URL (all are URIs or ids). */
function azureEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of appSettings()) {
    // A Key Vault reference reaches the app as the secret itself (resolved by the platform).
    env[name] = value.includes('@Microsoft.KeyVault(')
      ? 'k'.repeat(64)
      : (literal(value) ?? 'https://expression.invalid/');
  }
  return env;
}

describe('bicep scanner', () => {
  it('ignores brackets in comments and strings and follows interpolation', () => {
    const scan = scanBicep(`// {\nvar a = '\${b ? '}' : '['}x' /* ( */\nvar q = '''\n{\n'''\n`);
    expect(scan.errors).toEqual([]);
  });

  it('reports an unclosed or mismatched bracket with its line', () => {
    expect(scanBicep('var a = {\n  b: [1\n}\n').errors).toContain("line 3: '}' closes '[' from line 2");
    expect(scanBicep("var a = {\n  b: 'x'\n").errors).toEqual(["line 1: '{' never closed"]);
  });
});

describe('azure.yaml', () => {
  const yaml = yamlPaths(read('azure.yaml'));

  it('names the project, the api function service and the bicep infra folder', () => {
    expect(yaml.get('name')).toBe('riskops');
    expect(yaml.get('services.api.project')).toBe('.');
    expect(['ts', 'js']).toContain(yaml.get('services.api.language'));
    expect(yaml.get('services.api.host')).toBe('function');
    expect(yaml.get('infra.provider')).toBe('bicep');
    expect(yaml.get('infra.path')).toBe('infra');
    expect(
      existsSync(join(ROOT, yaml.get('infra.path') ?? '', `${yaml.get('infra.module') ?? 'main'}.bicep`)),
    ).toBe(true);
  });
});

describe('infra/main.bicep', () => {
  const main = bicep('infra/main.bicep');
  const uses = modules(main);

  it('deploys at subscription scope into rg-<environment>, tagged for azd', () => {
    expect(main.code).toMatch(/^targetScope\s*=\s*'subscription'/m);
    expect(main.code).toContain(`name: 'rg-\${environmentName}'`);
    expect(main.code).toMatch(/'azd-env-name':\s*environmentName/);
    expect(main.code).toContain('uniqueString(subscription().id, environmentName, location)');
  });

  it('references every module, and every referenced module exists', () => {
    const paths = uses.map((use) => use.path);
    for (const name of MODULES) expect(paths).toContain(`./modules/${name}.bicep`);
    for (const path of paths) expect(existsSync(join(ROOT, 'infra', path)), path).toBe(true);
  });

  it('passes each module exactly the params it declares, including every required one', () => {
    for (const use of uses) {
      const declared = params(bicep(join('infra', use.path)));
      for (const name of use.params.keys()) expect(declared.has(name), `${use.path}: ${name}`).toBe(true);
      for (const param of declared.values())
        if (!param.hasDefault) expect(use.params.has(param.name), `${use.path}: ${param.name}`).toBe(true);
    }
  });

  it('reads only outputs the modules declare', () => {
    const byName = new Map(uses.map((use) => [use.symbol, outputs(bicep(join('infra', use.path)))]));
    const refs = [...main.masked.matchAll(/\b(\w+)\.outputs\.(\w+)/g)];
    expect(refs.length).toBeGreaterThan(0);
    for (const [, symbol = '', output = ''] of refs)
      expect(byName.get(symbol)?.has(output), `${symbol}.outputs.${output}`).toBe(true);
  });

  it('outputs what azd and the riskops CLI read', () => {
    const names = outputs(main);
    for (const name of [
      'AZURE_FUNCTION_APP_NAME',
      'AZURE_STORAGE_ACCOUNT_NAME',
      'SERVICE_BUS_NAMESPACE',
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
    ])
      expect(names.has(name), name).toBe(true);
  });

  it('has a parameters file whose every value is declared, and that supplies every required param', () => {
    const file = JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, unknown> };
    const declared = params(main);
    for (const name of Object.keys(file.parameters)) expect(declared.has(name), name).toBe(true);
    for (const param of declared.values())
      if (!param.hasDefault) expect(Object.keys(file.parameters)).toContain(param.name);
    expect(file.parameters.environmentName).toEqual({ value: azdVariable('AZURE_ENV_NAME') });
    expect(file.parameters.location).toEqual({ value: azdVariable('AZURE_LOCATION') });
    expect(file.parameters.principalId).toEqual({ value: azdVariable('AZURE_PRINCIPAL_ID') });
  });
});

describe('function app', () => {
  const source = bicep('infra/modules/functionapp.bicep');
  const settings = appSettings();

  it('runs Node 22 on a Flex Consumption plan with identity-based deployment storage', () => {
    expect(source.code).toMatch(/name:\s*'FC1'/);
    expect(source.code).toMatch(/tier:\s*'FlexConsumption'/);
    expect(source.code).toMatch(/kind:\s*'functionapp,linux'/);
    const runtime = entries(blockAfter(source, /runtime:\s*\{/));
    expect(literal(runtime.get('name'))).toBe('node');
    expect(literal(runtime.get('version'))).toBe('22');
    expect(source.code).toMatch(/param instanceMemoryMB int = 2048/);
    const auth = entries(blockAfter(source, /authentication:\s*\{/));
    expect(['UserAssignedIdentity', 'SystemAssignedIdentity']).toContain(literal(auth.get('type')));
  });

  it('is tagged with the azure.yaml service name so azd deploy finds it', () => {
    const services = [...yamlPaths(read('azure.yaml')).keys()].filter((k) => k.startsWith('services.'));
    const service = services[0]?.split('.')[1];
    expect(source.code).toContain("'azd-service-name': serviceName");
    const call = modules(bicep('infra/main.bicep')).find((use) => use.path === './modules/functionapp.bicep');
    expect(literal(call?.params.get('serviceName'))).toBe(service);
  });

  it('sets only names the app schema or the host reads', () => {
    const known = new Set<string>([...Object.keys(SettingsSchema.shape), ...HOST_SETTINGS]);
    for (const name of settings.keys()) expect(known.has(name), `unknown app setting ${name}`).toBe(true);
    for (const name of FLEX_DEPRECATED)
      expect(source.code, `${name} is deprecated on Flex`).not.toContain(name);
  });

  it('connects to storage by identity: the three service URIs, never a connection string', () => {
    for (const service of ['blob', 'queue', 'table']) {
      const value = settings.get(`AzureWebJobsStorage__${service}ServiceUri`);
      expect(value, service).toBeDefined();
      expect(value?.toLowerCase(), service).toContain(service);
    }
    expect(settings.has('AzureWebJobsStorage')).toBe(false);
    expect(literal(settings.get('AzureWebJobsStorage__credential'))).toBe('managedidentity');
    expect(literal(settings.get('ServiceBusConnection__credential'))).toBe('managedidentity');
  });

  it('places every SettingsSchema key: set in Azure, left to its default, or local only', () => {
    const unplaced = Object.keys(SettingsSchema.shape).filter((key) => !(key in IN_AZURE));
    expect(unplaced, 'add these settings to IN_AZURE in tests/infra/infra.test.ts').toEqual([]);
    for (const [name, where] of Object.entries(IN_AZURE)) {
      if (where === 'set') expect(settings.has(name), `${name} must be set in Azure`).toBe(true);
      if (where === 'local-only') expect(settings.has(name), `${name} is local only`).toBe(false);
    }
  });

  it('gives the app settings it parses as an Azure configuration', () => {
    const env = azureEnvironment();
    const parsed = SettingsSchema.safeParse(env);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(storageConnectionIssue(env)).toBeUndefined();
    expect(storageConnectionFrom(env)).toMatchObject({ kind: 'identity', clientId: expect.any(String) });
    expect(parsed.data).toMatchObject({
      RISKOPS_ENVIRONMENT: 'azure',
      RISKOPS_EMBEDDED_AZURITE: false,
      RISKOPS_REQUIRE_APPROVAL: true,
      RISKOPS_MODELS_CONTAINER: 'models',
      RISKOPS_LEDGER_TABLE: 'modelledger',
    });
  });

  it('names a models container and a ledger table that storage creates', () => {
    const storage = bicep('infra/modules/storage.bicep').code;
    expect(storage).toContain(`'${literal(settings.get('RISKOPS_MODELS_CONTAINER'))}'`);
    expect(storage).toContain(`'${literal(settings.get('RISKOPS_LEDGER_TABLE'))}'`);
    expect(storage).toContain(
      `param ledgerArchiveContainerName string = '${literal(settings.get('RISKOPS_LEDGER_ARCHIVE_CONTAINER'))}'`,
    );
  });
});

describe('storage', () => {
  const storage = bicep('infra/modules/storage.bicep').code;

  it('accepts Entra ID only, over TLS 1.2, with no public blob access', () => {
    expect(storage).toMatch(/allowSharedKeyAccess:\s*false/);
    expect(storage).toMatch(/minimumTlsVersion:\s*'TLS1_2'/);
    expect(storage).toMatch(/allowBlobPublicAccess:\s*false/);
    expect(storage).toMatch(/kind:\s*'StorageV2'/);
  });

  it('creates the containers, queues and table the app uses', () => {
    for (const name of ['app-package', 'models', 'scoring-input', 'scoring-output'])
      expect(storage).toContain(`'${name}'`);
    for (const name of ['score-chunks', 'score-chunks-poison', 'modelledger'])
      expect(storage).toContain(`'${name}'`);
  });
});

describe('service bus', () => {
  const source = bicep('infra/modules/servicebus.bicep');

  it('has a Standard namespace with local auth off', () => {
    const namespace = entries(blockAfter(source, /properties:\s*\{/));
    expect(namespace.get('disableLocalAuth')).toBe('true');
    expect(source.code).toMatch(/name:\s*'Standard'/);
  });

  it('deduplicates retrain requests and dead-letters what cannot be delivered', () => {
    expect(source.code).toContain("param retrainQueueName string = 'retrain-requests'");
    const queue = entries(blockAfter(source, /resource retrainQueue [^\n]*=\s*\{[\s\S]*?properties:\s*\{/));
    expect(queue.get('requiresDuplicateDetection')).toBe('true');
    expect(literal(queue.get('duplicateDetectionHistoryTimeWindow'))).toBe('PT1H');
    expect(queue.get('maxDeliveryCount')).toBe('5');
    expect(queue.get('deadLetteringOnMessageExpiration')).toBe('true');
  });
});

describe('role assignments', () => {
  const roles = bicep('infra/modules/roles.bicep');
  /** Each `resource x 'Microsoft.Authorization/roleAssignments@…'` with its scope, principal and role. */
  const assignments = [
    ...roles.code.matchAll(
      /^resource (\w+) 'Microsoft\.Authorization\/roleAssignments@[^']+' = (\[|if \(\w+\) \{|\{)/gm,
    ),
  ].map((match) => {
    const body = entries(blockAt(roles, (match.index ?? 0) + match[0].length - 1));
    return {
      name: match[1] ?? '',
      conditional: (match[2] ?? '').startsWith('if'),
      scope: body.get('scope') ?? '',
      principal: entries(
        blockAfter(scanBicep(blockAt(roles, (match.index ?? 0) + match[0].length - 1)), /properties:\s*\{/),
      ),
    };
  });
  const byName = (name: string) => {
    const found = assignments.find((a) => a.name === name);
    if (found === undefined) throw new Error(`no role assignment ${name}`);
    return found;
  };
  const existing = (symbol: string) => {
    const match = new RegExp(`^resource ${symbol} '([^']+)@[^']+' existing`, 'm').exec(roles.code);
    return match?.[1];
  };

  it('use the documented built-in role ids, and never Blob Data Owner or Service Bus Data Owner', () => {
    const declared = entries(blockAfter(roles, /^var roleIds\s*=\s*\{/m));
    expect(Object.fromEntries([...declared].map(([key, value]) => [key, literal(value)]))).toEqual(
      BUILT_IN_ROLES,
    );
    const guids = roles.code.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? [];
    expect(new Set(guids)).toEqual(new Set(Object.values(BUILT_IN_ROLES)));
    for (const id of Object.values(TOO_BROAD)) expect(read('infra/modules/roles.bicep')).not.toContain(id);
  });

  it('scope the app identity’s blob role to each container it uses, never the account', () => {
    const blobs = byName('appBlobs');
    expect(blobs.scope).toBe('appContainers[i]');
    expect(existing('appContainers')).toBe('Microsoft.Storage/storageAccounts/blobServices/containers');
    expect(blobs.principal.get('roleDefinitionId')).toContain('roleIds.storageBlobDataContributor');
    expect(blobs.principal.get('principalId')).toBe('appPrincipalId');
    const storage = bicep('infra/modules/storage.bicep');
    const appContainers = storage.code.match(/^output appContainerNames array = (.*)$/m)?.[1] ?? '';
    expect(appContainers).toContain('containerNames');
    expect(appContainers).toContain('hostContainerNames');
    expect(appContainers).not.toContain('deploymentContainer');
    // The package container is the deployment identity's alone.
    const deploy = byName('deploymentBlobs');
    expect(deploy.scope).toBe('deploymentContainer');
    expect(deploy.principal.get('principalId')).toBe('deploymentPrincipalId');
    const app = bicep('infra/modules/functionapp.bicep');
    expect(entries(blockAfter(app, /authentication:\s*\{/)).get('userAssignedIdentityResourceId')).toBe(
      'deploymentIdentityId',
    );
    for (const a of assignments.filter((x) => x.principal.get('principalId') === 'appPrincipalId')) {
      if (a.scope === 'storageAccount') {
        expect(a.principal.get('roleDefinitionId') ?? '', a.name).not.toContain('Blob');
      }
    }
  });

  it('give the app Service Bus Sender and Receiver on the retrain queue only', () => {
    const bus = byName('appServiceBus');
    expect(bus.scope).toBe('retrainQueue');
    expect(existing('retrainQueue')).toBe('Microsoft.ServiceBus/namespaces/queues');
    expect(roles.code).toMatch(
      /var serviceBusRoles = \[\s*roleIds\.serviceBusDataSender\s*roleIds\.serviceBusDataReceiver\s*\]/,
    );
    for (const a of assignments) expect(a.scope, a.name).not.toBe('serviceBus');
  });

  it('give the deploying principal data roles only when deployerDataRoles opts in', () => {
    const deployer = assignments.filter((a) => a.principal.get('principalId') === 'deployerPrincipalId');
    expect(deployer.length).toBeGreaterThan(0);
    for (const a of deployer) expect(a.conditional, a.name).toBe(true);
    expect(roles.code).toMatch(
      /var withDeployer = !empty\(deployerPrincipalId\) && deployerDataRoles == 'registry'/,
    );
    expect(roles.code).toMatch(/param deployerDataRoles string = 'none'/);
    const main = bicep('infra/main.bicep');
    expect(params(main).get('deployerDataRoles')).toMatchObject({ hasDefault: true });
    expect(main.code).toMatch(/param deployerDataRoles string = 'none'/);
  });

  it('assign the app identity as a service principal', () => {
    expect(roles.code).toMatch(/principalId:\s*appPrincipalId/);
    expect(roles.code).toMatch(/principalType:\s*'ServicePrincipal'/);
  });
});

describe('function app security', () => {
  const app = bicep('infra/modules/functionapp.bicep');

  it('requires TLS 1.2 and turns FTP off in siteConfig', () => {
    const site = entries(blockAfter(app, /siteConfig:\s*\{/));
    expect(literal(site.get('minTlsVersion'))).toBe('1.2');
    expect(literal(site.get('ftpsState'))).toBe('Disabled');
    expect(app.code).toMatch(/httpsOnly:\s*true/);
  });

  it('configures App Service authentication (authsettingsV2) with Microsoft Entra ID', () => {
    const resource = blockAfter(
      app,
      /resource \w+ 'Microsoft\.Web\/sites\/config@[^']+' = \{(?=[^}]*name:\s*'authsettingsV2')/,
    );
    const body = entries(resource);
    expect(literal(body.get('name'))).toBe('authsettingsV2');
    const inner = scanBicep(resource);
    expect(entries(blockAfter(inner, /platform:\s*\{/)).get('enabled')).toBe('true');
    const aadBlock = blockAfter(inner, /azureActiveDirectory:\s*\{/);
    expect(entries(aadBlock).get('enabled')).toBe('true');
    const aad = scanBicep(aadBlock);
    const registration = entries(blockAfter(aad, /registration:\s*\{/));
    expect(registration.get('clientId')).toBe('adminClientId');
    expect(registration.get('openIdIssuer')).toContain('tenant().tenantId');
    expect(blockAfter(aad, /validation:\s*\{/)).toMatch(/allowedAudiences:[\s\S]*adminClientId/);
    // Anonymous requests reach scoring and health; admin routes refuse them in the app (no principal).
    const global = entries(blockAfter(inner, /globalValidation:\s*\{/));
    expect(literal(global.get('unauthenticatedClientAction'))).toBe('AllowAnonymous');
    expect(entries(blockAfter(inner, /httpSettings:\s*\{/)).get('requireHttps')).toBe('true');
    // The client id comes from azd (no default, so a deployment cannot silently skip it).
    expect(params(bicep('infra/main.bicep')).get('adminClientId')).toMatchObject({ hasDefault: false });
    const file = JSON.parse(read('infra/main.parameters.json')) as {
      parameters: Record<string, { value: string }>;
    };
    expect(file.parameters.adminClientId).toEqual({ value: azdVariable('RISKOPS_ADMIN_CLIENT_ID') });
  });

  it('lets storage and Service Bus turn public network access off with one parameter', () => {
    const main = bicep('infra/main.bicep');
    expect(main.code).toMatch(/param publicNetworkAccess string = 'Enabled'/);
    for (const module of ['storage', 'servicebus']) {
      const use = modules(main).find((m) => m.path === `./modules/${module}.bicep`);
      expect(use?.params.get('publicNetworkAccess'), module).toBe('publicNetworkAccess');
      expect(bicep(`infra/modules/${module}.bicep`).code).toMatch(/publicNetworkAccess: publicNetworkAccess/);
    }
    expect(bicep('infra/modules/storage.bicep').code).toMatch(
      /defaultAction: publicNetworkAccess == 'Enabled' \? 'Allow' : 'Deny'/,
    );
  });

  it('keeps write-once (WORM) containers for the ledger archive and the decision log', () => {
    const storage = bicep('infra/modules/storage.bicep');
    const policies = [
      ...storage.code.matchAll(/resource (\w+) '[^']*immutabilityPolicies@[^']+' = \{[\s\S]*?\n\}/g),
    ];
    const byParent = new Map(policies.map((m) => [/parent: (\w+)/.exec(m[0])?.[1], m[0]] as const));
    for (const [parent, retention] of [
      ['ledgerArchive', 'ledgerArchiveRetentionDays'],
      ['decisionLog', 'decisionLogRetentionDays'],
    ] as const) {
      const policy = byParent.get(parent) ?? '';
      expect(policy, parent).toMatch(/allowProtectedAppendWrites: true/);
      expect(policy, parent).toContain(`immutabilityPeriodSinceCreationInDays: ${retention}`);
    }
    expect(storage.code).toContain("param ledgerArchiveContainerName string = 'ledger-archive'");
    const settings = appSettings();
    expect(storage.code).toContain(
      `param decisionLogContainerName string = '${literal(settings.get('RISKOPS_AUDIT_CONTAINER'))}'`,
    );
    // The app identity writes the decision blobs (role per container) and the index table is created up front.
    expect(storage.code).toMatch(/appContainerNames array = concat\([\s\S]*decisionLogContainerName/);
    expect(storage.code).toContain(`'${literal(settings.get('RISKOPS_AUDIT_TABLE'))}'`);
  });
});

describe('alerts', () => {
  const alerts = bicep('infra/modules/alerts.bicep');

  it('alert on PSI >= 0.2 of any feature or the score, per use case and feature, every 15 minutes', () => {
    expect(alerts.code).toContain('Microsoft.Insights/scheduledQueryRules@');
    expect(alerts.code).toMatch(
      /customMetrics\s*\n\s*\| where name in \('riskops\.drift\.psi', 'riskops\.drift\.score_psi'\)/,
    );
    expect(alerts.code).toContain("param psiThreshold string = '0.2'");
    const start = alerts.code.indexOf("name: 'riskops-psi-drift'");
    expect(start).toBeGreaterThan(0);
    const rule = alerts.code.slice(start, alerts.code.indexOf('\n  }', start));
    expect(rule).toMatch(/frequency:\s*'PT15M'/);
    expect(rule).toMatch(/operator:\s*'GreaterThanOrEqual'/);
    expect(rule).toContain('threshold: json(psiThreshold)');
    for (const dimension of ['useCase', 'feature']) expect(rule).toContain(`'${dimension}'`);
  });

  it('alert on a failed or late batch run, the HTTP 5xx rate, latency over the SLO and an AUC drop', () => {
    for (const name of [
      'riskops-batch-failed',
      'riskops-batch-late',
      'riskops-http-5xx',
      'riskops-score-latency',
      'riskops-auc-drop',
    ])
      expect(alerts.code).toContain(`name: '${name}'`);
    expect(alerts.code).toContain('param latencySloMs int = 300');
    expect(alerts.code).toContain('param batchDeadlineHours int = 5');
  });

  it('send to an action group whose email comes from the alertEmail parameter', () => {
    expect(alerts.code).toMatch(/emailAddress:\s*alertEmail/);
    const call = modules(bicep('infra/main.bicep')).find((use) => use.path === './modules/alerts.bicep');
    expect(call?.params.get('alertEmail')).toBe('alertEmail');
  });
});

describe('every infra file', () => {
  const infraFiles = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? infraFiles(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  const files = [...infraFiles('infra'), 'azure.yaml', ...infraFiles('.github/workflows')];

  it('balances its braces, brackets, parentheses and quotes', () => {
    const bicepFiles = files.filter((file) => file.endsWith('.bicep'));
    expect(bicepFiles.length).toBeGreaterThanOrEqual(MODULES.length + 1);
    for (const file of bicepFiles) expect(bicep(file).errors, file).toEqual([]);
  });

  it('holds no keys, connection strings or key-listing calls', () => {
    for (const file of files) {
      const text = read(file);
      for (const secret of ['AccountKey=', 'SharedAccessKey=', 'listKeys(', 'listConnectionStrings('])
        expect(text, `${file} contains ${secret}`).not.toContain(secret);
    }
  });
});

describe('CI workflow', () => {
  const workflow = read('.github/workflows/infra.yml');

  it('compiles the Bicep and runs the tests on Node 22, on push and pull request', () => {
    expect(workflow).toMatch(/^\s+push:/m);
    expect(workflow).toMatch(/^\s+pull_request:/m);
    expect(workflow).toContain('az bicep build --file infra/main.bicep');
    expect(workflow).toMatch(/node-version:\s*['"]?22/);
    expect(workflow).toContain('npm install');
    expect(workflow).toContain('npm test');
  });
});

describe('performance alert (issue 11)', () => {
  const alerts = bicep('infra/modules/alerts.bicep');

  it('pages when a cohort AUC is more than 3 points below the validated AUC, by use case and kind', () => {
    const rule = blockAfter(alerts, /resource performanceAlert [^\n]*=\s*\{/);
    expect(rule).toContain(`where name == '${PERFORMANCE_METRICS.auc}'`);
    expect(rule).toContain('customDimensions.baselineAuc');
    expect(rule).toMatch(/metricMeasureColumn: 'drop'/);
    expect(rule).toMatch(/operator: 'GreaterThan'\s*\n\s*threshold: json\('0\.03'\)/);
    expect(rule).toMatch(/name: 'useCase'/);
    expect(rule).toMatch(/name: 'kind'/);
    expect(rule).toMatch(/actionGroup\.id/);
  });
});
