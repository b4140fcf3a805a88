import { z } from 'zod';

/** Values an application property may hold on both backends (Service Bus allows more; we need these). */
export const PropertyValueSchema = z.union([z.string(), z.number(), z.boolean()]);
export type PropertyValue = z.infer<typeof PropertyValueSchema>;

/** Service Bus message ids are at most 128 characters; the same limit applies locally. */
export const MAX_MESSAGE_ID = 128;

export const OutgoingMessageSchema = z.object({
  /** Deterministic id: the broker drops a second message with the same id within its duplicate window. */
  messageId: z.string().min(1).max(MAX_MESSAGE_ID),
  /** JSON-serialisable body; sent as `application/json`. */
  body: z.unknown().refine((b) => b !== undefined, 'is required'),
  applicationProperties: z.record(z.string(), PropertyValueSchema).default({}),
  /** Service Bus `subject` (label), e.g. the use case. */
  subject: z.string().min(1).optional(),
});
export type OutgoingMessage = z.input<typeof OutgoingMessageSchema>;

export interface SendResult {
  messageId: string;
  /**
   * False when the adapter itself knew the id was already sent within the duplicate-detection window. Service
   * Bus drops duplicates on the broker without telling the sender, so its adapter always reports true.
   */
  accepted: boolean;
}

/** A received message, locked (peek-lock) until `complete` or `abandon`. */
export interface ReceivedMessage {
  messageId: string;
  body: unknown;
  applicationProperties: Record<string, PropertyValue>;
  subject?: string;
  deliveryCount: number;
}

export interface ReceiveOptions {
  maxMessages?: number;
  /** How long to wait for the first message. */
  maxWaitMs?: number;
}

/** A named queue of JSON messages with ids and properties: Service Bus in Azure, an Azurite queue locally. */
export interface MessageQueue {
  readonly queueName: string;
  readonly backend: 'serviceBus' | 'storageQueue';
  send(message: OutgoingMessage): Promise<SendResult>;
  receive(options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  /** Removes a received message for good. */
  complete(message: ReceivedMessage): Promise<void>;
  /** Releases the lock so the message is delivered again. */
  abandon(message: ReceivedMessage): Promise<void>;
  close(): Promise<void>;
}

/** The queue the drift function sends retrain requests to, and the `retrain` function is triggered by. */
export const RETRAIN_QUEUE = 'retrain-requests';
