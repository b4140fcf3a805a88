// Who gets paged, and for what: drift (PSI in the "act" band), repeated function failures (a queue
// message that fails maxDequeueCount times lands in score-chunks-poison), and dead-lettered retrain requests.

param location string
param tags object = {}

param actionGroupName string

@description('Email address that receives alerts. Empty creates the action group without receivers.')
param alertEmail string = ''

param applicationInsightsId string
param serviceBusNamespaceId string
param retrainQueueName string = 'retrain-requests'

@description('PSI at or above this value is the "act" band (DESIGN.md decision 6). A string because Bicep has no decimal literals.')
param psiThreshold string = '0.2'

@description('Failed executions of one function within the window that raise an alert; 5 matches the host\'s default maxDequeueCount.')
@minValue(1)
param failedExecutionThreshold int = 5

var emailReceivers = empty(alertEmail) ? [] : [
  {
    name: 'operations'
    emailAddress: alertEmail
    useCommonAlertSchema: true
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'riskops'
    enabled: true
    emailReceivers: emailReceivers
  }
}

// The drift function writes one riskops.psi value per use case and feature per run. valueMax is the value
// itself for a single measurement and the worst one if the SDK pre-aggregated several.
var psiQuery = '''
customMetrics
| where name == 'riskops.psi'
| extend useCase = tostring(customDimensions.useCase), feature = tostring(customDimensions.feature)
| project timestamp, useCase, feature, psi = todouble(valueMax)
'''

resource psiAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'riskops-psi-drift'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'riskops: PSI drift at or above ${psiThreshold}'
    description: 'A feature or the score of a use case drifted into the "act" band (PSI >= ${psiThreshold}). Check the drift report; a retrain request is queued once the breach persists.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    // An hour of lookback so a value ingested late is still seen; autoMitigate keeps it to one notification.
    windowSize: 'PT1H'
    autoMitigate: true
    // A new Application Insights resource has no customMetrics rows until the first drift run.
    skipQueryValidation: true
    criteria: {
      allOf: [
        {
          query: psiQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'psi'
          dimensions: [
            {
              name: 'useCase'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'feature'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThanOrEqual'
          threshold: json(psiThreshold)
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// The Functions host records each invocation as a request; success == false is a failed execution.
var failuresQuery = '''
requests
| where success == false
| project timestamp, functionName = operation_Name
'''

resource failuresAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'riskops-function-failures'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'riskops: repeated function failures'
    description: 'A function failed ${failedExecutionThreshold} or more times in 15 minutes. For scoreChunk this means a chunk is headed for (or in) score-chunks-poison.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    autoMitigate: true
    skipQueryValidation: true
    criteria: {
      allOf: [
        {
          query: failuresQuery
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'functionName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThanOrEqual'
          threshold: failedExecutionThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

resource deadLetterAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'riskops-retrain-dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'A retrain request was dead-lettered (its delivery failed maxDeliveryCount times, or it expired).'
    severity: 2
    enabled: true
    scopes: [
      serviceBusNamespaceId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'deadLetteredRetrainRequests'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                retrainQueueName
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// Realized (or, before labels mature, estimated) AUC of a scoring cohort more than 3 points below the AUC the
// model version was validated with. The performance job sends that baseline with each metric (baselineAuc).
resource performanceAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'riskops-performance-auc-drop'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'riskops: AUC dropped more than 3 points'
    description: 'A cohort\'s riskops.performance.auc (kind realized or estimated) is more than 0.03 below the model version\'s validated AUC. Check riskops performance <useCase> and consider a retrain or rollback.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P1D'
    autoMitigate: true
    skipQueryValidation: true
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == 'riskops.performance.auc'
| extend useCase = tostring(customDimensions.useCase), kind = tostring(customDimensions.kind), baseline = todouble(customDimensions.baselineAuc)
| where isnotnull(baseline)
| project timestamp, useCase, kind, drop = baseline - todouble(valueMin)
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'drop'
          dimensions: [
            {
              name: 'useCase'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'kind'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: json('0.03')
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

output actionGroupId string = actionGroup.id
output psiAlertId string = psiAlert.id
