// riskops in Azure: one resource group per azd environment, holding the function app (Flex Consumption),
// its storage, Service Bus, monitoring, role assignments and alerts. Deployed by `azd up` / `azd provision`.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds the resource names.')
param environmentName string

@minLength(1)
@description('Region for every resource; it must offer the Flex Consumption plan.')
param location string

@description('Object id of the deploying principal (azd sets AZURE_PRINCIPAL_ID). It gets data roles only with deployerDataRoles = registry.')
param principalId string = ''

@allowed([
  'none'
  'registry'
])
@description('registry: the deploying principal gets data roles on the model registry so the riskops CLI works against Azure (azd env set RISKOPS_DEPLOYER_DATA_ROLES registry). Off by default.')
param deployerDataRoles string = 'none'

@minLength(1)
@description('Client id of the Entra ID app registration Easy Auth validates admin callers against (azd env set RISKOPS_ADMIN_CLIENT_ID <appId>).')
param adminClientId string

@allowed([
  'Enabled'
  'Disabled'
])
@description('Disabled: storage and Service Bus accept traffic only through private endpoints, which you add with a VNet (see README).')
param publicNetworkAccess string = 'Enabled'

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Email address for drift and failure alerts (azd env set RISKOPS_ALERT_EMAIL ...). Empty: no receivers.')
param alertEmail string = ''

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@secure()
@minLength(32)
@description('Key of the decision log\'s keyed HMAC over PII fields (azd env set RISKOPS_AUDIT_HMAC_KEY "$(openssl rand -hex 32)"). Stored in Key Vault; the app reads it through a Key Vault reference.')
param auditHmacKey string

var tags = {
  'azd-env-name': environmentName
}
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var abbrs = {
  actionGroup: 'ag-'
  appInsights: 'appi-'
  appServicePlan: 'plan-'
  functionApp: 'func-'
  keyVault: 'kv-'
  logAnalytics: 'log-'
  managedIdentity: 'id-'
  serviceBus: 'sb-'
  storageAccount: 'st'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring './modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.logAnalytics}${resourceToken}'
    applicationInsightsName: '${abbrs.appInsights}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage './modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageAccount}${resourceToken}'
    location: location
    tags: tags
    publicNetworkAccess: publicNetworkAccess
  }
}

module serviceBus './modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: '${abbrs.serviceBus}${resourceToken}'
    location: location
    tags: tags
    publicNetworkAccess: publicNetworkAccess
  }
}

module identity './modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentity}${resourceToken}'
    location: location
    tags: tags
  }
}

// Flex reads the deployment package with its own identity, so the app identity needs no role on it.
module deploymentIdentity './modules/identity.bicep' = {
  name: 'deployment-identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentity}deploy-${resourceToken}'
    location: location
    tags: tags
  }
}

module roles './modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    appPrincipalId: identity.outputs.principalId
    deploymentPrincipalId: deploymentIdentity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    deployerDataRoles: deployerDataRoles
    storageAccountName: storage.outputs.name
    appContainerNames: storage.outputs.appContainerNames
    deploymentContainerName: storage.outputs.deploymentContainerName
    serviceBusNamespaceName: serviceBus.outputs.name
    retrainQueueName: serviceBus.outputs.retrainQueueName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module keyVault './modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVault}${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    auditHmacKey: auditHmacKey
  }
}

module functionApp './modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: '${abbrs.functionApp}${resourceToken}'
    planName: '${abbrs.appServicePlan}${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentIdentityId: deploymentIdentity.outputs.id
    adminClientId: adminClientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    auditHmacKeySecretUri: keyVault.outputs.auditHmacKeySecretUri
  }
  // The host reads its storage on first start; the identity's roles must exist by then.
  dependsOn: [
    roles
  ]
}

module alerts './modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    actionGroupName: '${abbrs.actionGroup}${resourceToken}'
    alertEmail: alertEmail
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    serviceBusNamespaceId: serviceBus.outputs.id
    retrainQueueName: serviceBus.outputs.retrainQueueName
  }
}

module workbook './modules/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.name
output SERVICE_BUS_FULLY_QUALIFIED_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output AZURE_ALERT_ACTION_GROUP_ID string = alerts.outputs.actionGroupId
