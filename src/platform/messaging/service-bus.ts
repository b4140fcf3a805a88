/** The messaging port on Azure Service Bus (`@azure/service-bus`): connection string or managed identity. */
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import {
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
  type ServiceBusSender,
} from '@azure/service-bus';
import { RiskopsError } from '../errors/index.js';
import {
  type MessageQueue,
  type OutgoingMessage,
  OutgoingMessageSchema,
  type PropertyValue,
  type ReceivedMessage,
  type ReceiveOptions,
  type SendResult,
} from './types.js';

/** How to reach the namespace, as the Functions Service Bus extension reads `ServiceBusConnection*`. */
export type ServiceBusConnection =
  | { kind: 'connectionString'; connectionString: string }
  | {
      kind: 'identity';
      /** `<namespace>.servicebus.windows.net` */
      fullyQualifiedNamespace: string;
      /** Client id of a user-assigned managed identity. */
      clientId?: string;
      /** Overrides DefaultAzureCredential (tests, other identities). */
      credential?: TokenCredential;
    };

export interface ServiceBusQueueOptions {
  connection: ServiceBusConnection;
  queueName: string;
}

const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}$/;

function checkConnection(connection: ServiceBusConnection): void {
  if (connection.kind === 'connectionString') {
    if (!/(^|;)\s*Endpoint=sb:\/\/[^;]+/i.test(connection.connectionString))
      throw new RiskopsError(
        'invalid_settings',
        'ServiceBusConnection: expected a connection string with Endpoint=sb://…',
      );
    return;
  }
  if (!NAMESPACE.test(connection.fullyQualifiedNamespace))
    throw new RiskopsError(
      'invalid_settings',
      `ServiceBusConnection__fullyQualifiedNamespace: '${connection.fullyQualifiedNamespace}' is not a host name like <namespace>.servicebus.windows.net`,
    );
}

function properties(message: ServiceBusReceivedMessage): Record<string, PropertyValue> {
  const out: Record<string, PropertyValue> = {};
  for (const [key, value] of Object.entries(message.applicationProperties ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = value;
  }
  return out;
}

/**
 * Creates the adapter; nothing connects until the first send or receive, and the client, sender and
 * receiver are reused across invocations.
 * @throws RiskopsError `invalid_settings` for a malformed connection or queue name.
 */
export function createServiceBusQueue(options: ServiceBusQueueOptions): MessageQueue {
  const { connection, queueName } = options;
  checkConnection(connection);
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]{0,259}$/.test(queueName))
    throw new RiskopsError('invalid_settings', `'${queueName}' is not a Service Bus queue name`);
  let client: ServiceBusClient | undefined;
  let sender: ServiceBusSender | undefined;
  let receiver: ServiceBusReceiver | undefined;
  const handles = new WeakMap<ReceivedMessage, ServiceBusReceivedMessage>();

  const sbClient = (): ServiceBusClient => {
    if (client !== undefined) return client;
    client =
      connection.kind === 'connectionString'
        ? new ServiceBusClient(connection.connectionString)
        : new ServiceBusClient(
            connection.fullyQualifiedNamespace,
            connection.credential ??
              new DefaultAzureCredential(
                connection.clientId === undefined ? {} : { managedIdentityClientId: connection.clientId },
              ),
          );
    return client;
  };
  const lockedReceiver = (): ServiceBusReceiver => {
    receiver ??= sbClient().createReceiver(queueName, { receiveMode: 'peekLock' });
    return receiver;
  };
  const sdkMessage = (message: ReceivedMessage): ServiceBusReceivedMessage => {
    const found = handles.get(message);
    if (found === undefined) throw new RiskopsError('invalid_input', 'message was not received here');
    return found;
  };

  return {
    queueName,
    backend: 'serviceBus',

    async send(input: OutgoingMessage): Promise<SendResult> {
      const message = OutgoingMessageSchema.parse(input);
      sender ??= sbClient().createSender(queueName);
      await sender.sendMessages({
        body: message.body,
        messageId: message.messageId,
        contentType: 'application/json',
        applicationProperties: message.applicationProperties,
        ...(message.subject === undefined ? {} : { subject: message.subject }),
      });
      return { messageId: message.messageId, accepted: true };
    },

    async receive(receive: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
      const messages = await lockedReceiver().receiveMessages(receive.maxMessages ?? 1, {
        maxWaitTimeInMs: receive.maxWaitMs ?? 1000,
      });
      return messages.map((m) => {
        const received: ReceivedMessage = {
          messageId: String(m.messageId ?? ''),
          body: m.body,
          applicationProperties: properties(m),
          deliveryCount: m.deliveryCount ?? 1,
          ...(m.subject === undefined ? {} : { subject: m.subject }),
        };
        handles.set(received, m);
        return received;
      });
    },

    async complete(message: ReceivedMessage): Promise<void> {
      await lockedReceiver().completeMessage(sdkMessage(message));
    },

    async abandon(message: ReceivedMessage): Promise<void> {
      await lockedReceiver().abandonMessage(sdkMessage(message));
    },

    async close(): Promise<void> {
      const open = client;
      client = undefined;
      sender = undefined;
      receiver = undefined;
      await open?.close();
    },
  };
}
