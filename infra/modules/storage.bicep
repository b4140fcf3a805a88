// The one storage account: Functions host state, the Flex Consumption deployment package, the model
// registry, batch inputs and outputs, the score-chunks fan-out queue and the model ledger table.
// Shared keys are off, so every caller (the app, the deploying user, the Flex deployment) uses Entra ID.

@description('Storage account name: 3-24 lowercase letters and digits, globally unique.')
@minLength(3)
@maxLength(24)
param name string

param location string
param tags object = {}

@description('Blob container that Flex Consumption deploys the app package to.')
param deploymentContainerName string = 'app-package'

@description('Blob containers the app uses (the model registry first). The app identity gets data roles on these containers only.')
param containerNames array = [
  'models'
  'scoring-input'
  'scoring-output'
  'drift-reports'
]

@description('Containers the Functions host keeps its state in; created here so the app identity needs no account-wide blob role.')
param hostContainerNames array = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]

@description('Write-once (WORM) copy of the model ledger: a time-based immutability policy with protected appends only.')
param ledgerArchiveContainerName string = 'ledger-archive'

@minValue(1)
@maxValue(146000)
@description('Days each ledger archive blob is kept immutable. The policy is created unlocked; lock it (az storage container immutability-policy lock) once the retention is agreed.')
param ledgerArchiveRetentionDays int = 2557

@description('The decision log (RISKOPS_AUDIT_CONTAINER): one append blob per writer per day, committed before each response. Write-once (WORM): a time-based immutability policy with protected appends only, so these blobs are the immutable daily copy; the decisions table is an index built from them.')
param decisionLogContainerName string = 'decisionlog'

@minValue(1)
@maxValue(146000)
@description('Days each decision log blob is kept immutable (default 7 years). Created unlocked; lock the policy once the retention is agreed.')
param decisionLogRetentionDays int = 2557

@allowed([
  'Enabled'
  'Disabled'
])
@description('Disabled: the account is reachable only through private endpoints (create them and the app\'s VNet integration separately).')
param publicNetworkAccess string = 'Enabled'

@description('Storage queues: the batch fan-out and its poison queue (the host moves a message there after maxDequeueCount failures), and event scoring (requests, results, poison).')
param queueNames array = [
  'score-chunks'
  'score-chunks-poison'
  'score-requests'
  'score-requests-poison'
  'score-results'
]

@description('Tables created up front; the app creates its other tables on first use.')
param tableNames array = [
  'modelledger'
  'decisions'
  'driftcounts'
  'batchruns'
]

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: publicNetworkAccess
    supportsHttpsTrafficOnly: true
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    // Model versions are immutable; soft delete is the safety net against a mistaken delete.
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource hostContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for containerName in hostContainerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource ledgerArchive 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: ledgerArchiveContainerName
  properties: {
    publicAccess: 'None'
  }
}

// WORM: archived ledger lines can be appended but never changed or deleted within the retention period.
resource ledgerArchivePolicy 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = {
  parent: ledgerArchive
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: ledgerArchiveRetentionDays
    allowProtectedAppendWrites: true
  }
}

resource decisionLog 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: decisionLogContainerName
  properties: {
    publicAccess: 'None'
  }
}

// WORM: each day's decision blobs can be appended to but never changed or deleted within the retention period.
resource decisionLogPolicy 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = {
  parent: decisionLog
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: decisionLogRetentionDays
    allowProtectedAppendWrites: true
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainerName string = deploymentContainer.name
output appContainerNames array = concat(containerNames, hostContainerNames, [
  ledgerArchiveContainerName
  decisionLogContainerName
])
output decisionLogContainerName string = decisionLog.name
output ledgerArchiveContainerName string = ledgerArchive.name
