// Service Bus for retraining requests. The drift function sends each request with a deterministic
// message id, so duplicate detection turns a repeated send within the window into a no-op.

@minLength(6)
@maxLength(50)
param name string

param location string
param tags object = {}

param retrainQueueName string = 'retrain-requests'

@allowed([
  'Enabled'
  'Disabled'
])
@description('Disabled: the namespace is reachable only through private endpoints (Premium tier; create them separately).')
param publicNetworkAccess string = 'Enabled'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    // Standard is the lowest tier with duplicate detection.
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: publicNetworkAccess
  }
}

resource retrainQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: retrainQueueName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
    maxDeliveryCount: 5
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P7D'
    // Training a challenger takes minutes; the Functions host renews the lock while the handler runs.
    lockDuration: 'PT5M'
    requiresSession: false
    enablePartitioning: false
  }
}

output id string = namespace.id
output name string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
output retrainQueueName string = retrainQueue.name
