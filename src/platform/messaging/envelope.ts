/**
 * How a Service Bus message travels through an Azurite storage queue locally. Storage queue messages are
 * text only, so the message id, properties and subject ride in a small envelope; the local host unwraps it
 * for Service Bus triggers, so a function sees the same body and `triggerMetadata` as on Azure.
 */
import type { PropertyValue } from './types.js';

/** Marker key of the envelope (a body that is not an envelope is delivered as it is). */
export const ENVELOPE_KEY = 'serviceBusMessage';

export interface ServiceBusEnvelope {
  [ENVELOPE_KEY]: {
    messageId: string;
    applicationProperties: Record<string, PropertyValue>;
    subject?: string;
    contentType: 'application/json';
  };
  body: unknown;
}

export function wrapEnvelope(meta: ServiceBusEnvelope[typeof ENVELOPE_KEY], body: unknown): string {
  const envelope: ServiceBusEnvelope = { [ENVELOPE_KEY]: meta, body };
  return JSON.stringify(envelope);
}

/** The envelope in `value` (the parsed message text), or undefined when it is a plain message. */
export function unwrapEnvelope(value: unknown): ServiceBusEnvelope | undefined {
  if (typeof value !== 'object' || value === null || !(ENVELOPE_KEY in value) || !('body' in value))
    return undefined;
  const meta = (value as Record<string, unknown>)[ENVELOPE_KEY];
  if (typeof meta !== 'object' || meta === null) return undefined;
  const { messageId, applicationProperties } = meta as Record<string, unknown>;
  if (typeof messageId !== 'string') return undefined;
  if (typeof applicationProperties !== 'object' || applicationProperties === null) return undefined;
  return value as ServiceBusEnvelope;
}
