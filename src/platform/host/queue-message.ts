import type { DequeuedMessageItem } from '@azure/storage-queue';
import { unwrapEnvelope } from '../messaging/index.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A queue message's text as the function sees it. With `messageEncoding: base64` (the Functions default)
 * text that is valid base64 of UTF-8 is decoded; anything else (a message another tool wrote as plain text)
 * is passed through unchanged, where the real host would fail it.
 */
export function decodeMessageText(text: string, encoding: 'base64' | 'none'): string {
  if (encoding === 'none' || text.length % 4 !== 0 || !BASE64.test(text)) return text;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return text;
  try {
    return UTF8.decode(bytes);
  } catch {
    return text;
  }
}

/** The trigger input: the parsed JSON when the text parses (as the Node worker does), else the string. */
export function messageInput(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export type QueueKind = 'storageQueue' | 'serviceBusQueue';

/**
 * `context.triggerMetadata` for a queue message, with the names the Node worker gives them; Service Bus
 * triggers served from a storage queue also get the Service Bus names for the same facts.
 */
export function queueTriggerMetadata(
  kind: QueueKind,
  message: Pick<
    DequeuedMessageItem,
    'messageId' | 'dequeueCount' | 'insertedOn' | 'expiresOn' | 'popReceipt' | 'nextVisibleOn'
  >,
  text: string,
): Record<string, unknown> {
  const common = {
    id: message.messageId,
    dequeueCount: message.dequeueCount,
    insertionTime: message.insertedOn.toISOString(),
    expirationTime: message.expiresOn.toISOString(),
    nextVisibleTime: message.nextVisibleOn.toISOString(),
    popReceipt: message.popReceipt,
    queueTrigger: text,
  };
  if (kind === 'storageQueue') return common;
  return {
    ...common,
    messageId: message.messageId,
    deliveryCount: message.dequeueCount,
    enqueuedTimeUtc: message.insertedOn.toISOString(),
    expiresAtUtc: message.expiresOn.toISOString(),
  };
}

/**
 * The trigger input and extra metadata of a message: a Service Bus message the messaging port sent through a
 * storage queue arrives in an envelope, and the function gets its body, `messageId`, `applicationProperties`
 * and `subject` as on Azure. Anything else is delivered as `messageInput` makes it.
 */
export function triggerInput(
  kind: QueueKind,
  text: string,
): { input: unknown; metadata: Record<string, unknown> } {
  const parsed = messageInput(text);
  const envelope = kind === 'serviceBusQueue' ? unwrapEnvelope(parsed) : undefined;
  if (envelope === undefined) return { input: parsed, metadata: {} };
  const meta = envelope.serviceBusMessage;
  return {
    input: envelope.body,
    metadata: {
      messageId: meta.messageId,
      applicationProperties: meta.applicationProperties,
      userProperties: meta.applicationProperties,
      contentType: meta.contentType,
      ...(meta.subject === undefined ? {} : { subject: meta.subject, label: meta.subject }),
    },
  };
}
