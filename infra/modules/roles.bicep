// Data-plane roles, each at the narrowest scope that works:
// - the app identity: Blob Data Contributor on each container it uses (never the account, so it cannot
//   reach the deployment package), Queue and Table Data Contributor on the account (the host and the app
//   create queues and tables on first use), Service Bus Data Sender and Receiver on the retrain queue only,
//   and Monitoring Metrics Publisher on Application Insights;
// - the deployment identity: Blob Data Contributor on the deployment package container only;
// - the deploying user: nothing unless deployerDataRoles = 'registry' (then the riskops CLI can push,
//   approve, promote and roll back against Azure with its own az login).

@description('Principal id of the app\'s managed identity.')
param appPrincipalId string

@description('Principal id of the identity Flex Consumption reads the deployment package with.')
param deploymentPrincipalId string

@description('Object id of the deploying user or service principal. Empty to skip its assignments.')
param deployerPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string = 'User'

@allowed([
  'none'
  'registry'
])
@description('registry: give the deploying principal data roles on the model registry (models container, ledger tables). Opt-in.')
param deployerDataRoles string = 'none'

param storageAccountName string
@description('Blob containers the app uses (app data, host state, ledger archive).')
param appContainerNames array
param deploymentContainerName string
param modelsContainerName string = 'models'
param serviceBusNamespaceName string
param retrainQueueName string
param applicationInsightsName string

// Built-in role definition ids (the same in every tenant), from the Azure built-in roles reference.
var roleIds = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

var accountRoles = [
  roleIds.storageQueueDataContributor
  roleIds.storageTableDataContributor
]

var serviceBusRoles = [
  roleIds.serviceBusDataSender
  roleIds.serviceBusDataReceiver
]

var withDeployer = !empty(deployerPrincipalId) && deployerDataRoles == 'registry'

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storageAccount
  name: 'default'
}

resource appContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = [
  for containerName in appContainerNames: {
    parent: blobService
    name: containerName
  }
]

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: deploymentContainerName
}

resource modelsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: modelsContainerName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource retrainQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: serviceBus
  name: retrainQueueName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource appBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in appContainerNames: {
    name: guid(appContainers[i].id, appPrincipalId, roleIds.storageBlobDataContributor)
    scope: appContainers[i]
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataContributor)
    }
  }
]

resource appStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in accountRoles: {
    name: guid(storageAccount.id, appPrincipalId, roleId)
    scope: storageAccount
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource deploymentBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deploymentContainer.id, deploymentPrincipalId, roleIds.storageBlobDataContributor)
  scope: deploymentContainer
  properties: {
    principalId: deploymentPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataContributor)
  }
}

resource appServiceBus 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in serviceBusRoles: {
    name: guid(retrainQueue.id, appPrincipalId, roleId)
    scope: retrainQueue
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource appMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roleIds.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
  }
}

resource deployerModels 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withDeployer) {
  name: guid(modelsContainer.id, deployerPrincipalId, roleIds.storageBlobDataContributor)
  scope: modelsContainer
  properties: {
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataContributor)
  }
}

resource deployerLedger 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withDeployer) {
  name: guid(storageAccount.id, deployerPrincipalId, roleIds.storageTableDataContributor)
  scope: storageAccount
  properties: {
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataContributor)
  }
}

output roleDefinitionIds object = roleIds
