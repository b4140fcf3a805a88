// The function app on a Flex Consumption plan (Linux, Node 22). Every connection is identity-based
// through the user-assigned identity: host storage, the deployment package, Service Bus, App Insights.
// The runtime and its version live in functionAppConfig; Flex rejects or ignores the old app settings
// for them (FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE, ...).

param name string
param planName string
param location string
param tags object = {}

@description('azd finds the app to deploy to by this tag; it must match the service name in azure.yaml.')
param serviceName string = 'api'

param identityId string
param identityClientId string

@description('Identity Flex Consumption reads the deployment package with: separate from the app identity, which has no access to the package container.')
param deploymentIdentityId string

@description('Client id of the Microsoft Entra ID app registration that App Service authentication (Easy Auth) validates tokens for. Admin routes refuse callers without its validated principal.')
param adminClientId string

param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerName string

param serviceBusFullyQualifiedNamespace string
param applicationInsightsConnectionString string

@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

// Every app setting the app gets in Azure. Names are either keys of SettingsSchema
// (src/platform/config/settings.ts) or names the Functions host and the Azure SDKs read;
// tests/infra/infra.test.ts holds this block to that rule.
@description('Six-field NCRONTAB (UTC) of the driftMonitor timer: after the nightly batch.')
param driftSchedule string = '0 30 5 * * *'

@description('Key Vault secret URI of the decision log\'s HMAC key, read through a Key Vault reference.')
param auditHmacKeySecretUri string

var appSettings = {
  // Host and app storage, identity-based (no connection string, no account key).
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // The Service Bus trigger's connection (prefix `ServiceBusConnection`).
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  // DefaultAzureCredential in the app's own SDK clients picks the user-assigned identity from this.
  AZURE_CLIENT_ID: identityClientId
  // The decision log's PII key, from Key Vault (resolved by the platform with the app identity).
  RISKOPS_AUDIT_HMAC_KEY: '@Microsoft.KeyVault(SecretUri=${auditHmacKeySecretUri})'
  // The decision log: day blobs in the write-once container (see storage.bicep), indexed into the table.
  RISKOPS_AUDIT_COMMIT: 'blob'
  RISKOPS_AUDIT_CONTAINER: 'decisionlog'
  RISKOPS_AUDIT_TABLE: 'decisions'
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  RISKOPS_ENVIRONMENT: 'azure'
  RISKOPS_EMBEDDED_AZURITE: 'false'
  RISKOPS_REQUIRE_APPROVAL: 'true'
  RISKOPS_MODELS_CONTAINER: 'models'
  RISKOPS_LEDGER_TABLE: 'modelledger'
  // Drift: per-writer count partials, the reports, and the drift run's schedule (after the nightly batch).
  RISKOPS_DRIFT_COUNTS_TABLE: 'driftcounts'
  RISKOPS_DRIFT_REPORTS_CONTAINER: 'drift-reports'
  RISKOPS_DRIFT_SCHEDULE: driftSchedule
  // Write-once copy of the ledger (a container with a time-based immutability policy, see storage.bicep).
  RISKOPS_LEDGER_ARCHIVE_CONTAINER: 'ledger-archive'
  // The package is mounted read-only on Flex; local scratch files go to the instance's temp disk.
  RISKOPS_DATA_DIR: '/tmp/riskops'
  // The nightlyBatch timer's NCRONTAB schedule (UTC), read by the host as %RISKOPS_BATCH_SCHEDULE%.
  RISKOPS_BATCH_SCHEDULE: '0 0 2 * * *'
  // Queue triggers name their queues as %RISKOPS_BATCH_CHUNK_QUEUE% and %RISKOPS_EVENTS_QUEUE%.
  RISKOPS_BATCH_CHUNK_QUEUE: 'score-chunks'
  RISKOPS_EVENTS_QUEUE: 'score-requests'
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
      '${deploymentIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the app identity (user-assigned, so it must be named).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: deploymentIdentityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: appSettings
}

// App Service authentication (Easy Auth) with Microsoft Entra ID. It validates the bearer token of every
// request that carries one and passes the validated claims as x-ms-client-principal (base64 JSON), a header
// callers cannot set themselves. Anonymous requests still reach scoring (function key) and health (probes);
// the admin routes (models/*) refuse any request without the validated principal, so changing models needs
// an Entra ID token for this app registration in Azure.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: adminClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${adminClientId}'
            adminClientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

output id string = app.id
output name string = app.name
output defaultHostName string = app.properties.defaultHostName
output planName string = plan.name
