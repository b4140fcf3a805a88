import type { FunctionDefinition } from '../src/platform/functions/index.js';
import { RETRAIN_QUEUE } from '../src/platform/messaging/index.js';
import type { Services } from '../src/platform/runtime/services.js';

/**
 * Service Bus `retrain-requests` → train, gate and register a challenger (`src/platform/retrain`). Locally
 * the host serves it from the Azurite queue of the same name. A request that throws is redelivered and
 * dead-lettered after the queue's maxDeliveryCount; a redelivered request that already finished does nothing.
 */
export const retrain: FunctionDefinition<Services> = {
  kind: 'serviceBusQueue',
  name: 'retrain',
  queueName: RETRAIN_QUEUE,
  connection: 'ServiceBusConnection',
  create: (services) => async (message, context) => {
    const messageId = context.triggerMetadata?.messageId;
    const outcome = await services.retrainConsumer.handle(message, {
      messageId: typeof messageId === 'string' ? messageId : undefined,
    });
    context.log(outcome.duplicate ? `already processed: ${outcome.message}` : outcome.message);
  },
};
