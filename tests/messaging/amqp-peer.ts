/**
 * A minimal AMQP 1.0 peer for testing the Service Bus adapter at the wire: it answers the SDK's CBS
 * `put-token` request, keeps what senders transfer per target address, and hands it out to receivers
 * (a message released by the receiver is handed out again). Not a broker: no locks, sessions or duplicate
 * detection; management requests are answered with status 200 and nothing else.
 */

import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import rhea, { type Connection, type Delivery, type EventContext, type Message, type Sender } from 'rhea';
import { afterAll, beforeAll } from 'vitest';
import { createServiceBusQueue, type MessageQueue } from '../../src/platform/messaging/index.js';

export interface WireMessage {
  /** The target address the client sent to (the queue name). */
  address: string;
  message: Message;
  /** The body's bytes when it came as an AMQP data section (how the SDK sends JSON bodies). */
  data?: Buffer;
}

export interface AmqpPeer {
  port: number;
  connectionString: string;
  /** Every message received on a non-CBS link, in order. */
  received: WireMessage[];
  /** put-token requests answered (audience of each). */
  tokens: string[];
  close(): Promise<void>;
}

/** The `accepted` outcome as a described type, for settling an outgoing delivery. */
const ACCEPTED = (rhea as unknown as { message: { accepted(): { described(): unknown } } }).message
  .accepted()
  .described();

type Terminus = { address?: string } | undefined;

/** What the client asked for in its attach (rhea keeps it on the link, untyped). */
function requested(link: unknown): { source: Terminus; target: Terminus } {
  const attach = (link as { remote?: { attach?: { source?: Terminus; target?: Terminus } } }).remote?.attach;
  return { source: attach?.source, target: attach?.target };
}

function dataOf(message: Message): Buffer | undefined {
  const body = message.body as { typecode?: number; content?: unknown } | undefined;
  if (body?.typecode === 0x75 && Buffer.isBuffer(body.content)) return body.content;
  return undefined;
}

export async function startAmqpPeer(): Promise<AmqpPeer> {
  const container = rhea.create_container({ id: `riskops-test-peer-${randomUUID()}` });
  const received: WireMessage[] = [];
  const tokens: string[] = [];
  const pending = new Map<string, Message[]>();
  const connections = new Set<Connection>();

  const pump = (sender: Sender): void => {
    const address = sender.source?.address ?? '';
    const queue = pending.get(address) ?? [];
    while (sender.sendable() && queue.length > 0) {
      const message = queue.shift() as Message;
      const tag = Buffer.from(randomUUID().replaceAll('-', ''), 'hex');
      const delivery = sender.send(message, tag);
      (delivery as Delivery & { riskopsMessage?: Message }).riskopsMessage = message;
    }
  };

  container.on('connection_open', (context: EventContext) => {
    if (context.connection !== undefined) connections.add(context.connection);
  });
  container.on('sender_open', (context: EventContext) => {
    const sender = context.sender as Sender;
    // Echo the client's requested source, as a broker does.
    sender.set_source({ address: requested(sender).source?.address ?? '' });
  });
  container.on('receiver_open', (context: EventContext) => {
    const receiver = context.receiver;
    receiver?.set_target({ address: requested(receiver).target?.address ?? '' });
  });
  container.on('sendable', (context: EventContext) => pump(context.sender as Sender));
  // The SDK drains the link at the end of a receive; answering lets it keep the link for settling.
  container.on('sender_draining', (context: EventContext) => context.sender?.set_drained(true));
  // The SDK receives in peek-lock with rcv-settle-mode second: the peer settles what the client accepts.
  container.on('accepted', (context: EventContext) => {
    const delivery = context.delivery;
    if (delivery !== undefined && !delivery.settled) delivery.update(true, ACCEPTED);
  });
  container.on('released', (context: EventContext) => {
    const message = (context.delivery as Delivery & { riskopsMessage?: Message }).riskopsMessage;
    const address = context.sender?.source?.address ?? '';
    if (message !== undefined) pending.set(address, [message, ...(pending.get(address) ?? [])]);
  });
  container.on('message', (context: EventContext) => {
    const message = context.message as Message;
    const address = context.receiver?.target?.address ?? '';
    if (address === '$cbs' || address.endsWith('/$management')) {
      const props = message.application_properties as Record<string, unknown> | undefined;
      if (props?.operation === 'put-token') tokens.push(String(props.name ?? ''));
      const replyTo = message.reply_to;
      const connection = context.connection as Connection;
      // The SDK names its CBS receiver link after reply_to (and leaves its target empty).
      const reply = connection.find_sender(
        (s: Sender) => s.name === replyTo || requested(s).target?.address === replyTo,
      ) as Sender | undefined;
      reply?.send({
        body: null,
        ...(message.message_id === undefined ? {} : { correlation_id: message.message_id }),
        application_properties: { 'status-code': 200, 'status-description': 'OK' },
      });
      context.delivery?.accept();
      return;
    }
    const data = dataOf(message);
    received.push({ address, message, ...(data === undefined ? {} : { data }) });
    pending.set(address, [...(pending.get(address) ?? []), message]);
    context.delivery?.accept();
    for (const connection of connections) {
      const sender = connection.find_sender((s: Sender) => s.source?.address === address) as
        | Sender
        | undefined;
      if (sender !== undefined) pump(sender);
    }
  });

  const server = container.listen({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    connectionString: `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=k;SharedAccessKey=${Buffer.from('test-key').toString('base64')};UseDevelopmentEmulator=true`,
    received,
    tokens,
    async close() {
      for (const connection of connections) connection.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A fresh peer and a Service Bus queue adapter connected to it for the enclosing `describe` block (started in
 * `beforeAll`, closed in `afterAll`).
 */
export function serviceBusOverPeer(queueName: string): { peer(): AmqpPeer; queue(): MessageQueue } {
  let peer: AmqpPeer | undefined;
  let queue: MessageQueue | undefined;
  beforeAll(async () => {
    peer = await startAmqpPeer();
    queue = createServiceBusQueue({
      connection: { kind: 'connectionString', connectionString: peer.connectionString },
      queueName,
    });
  });
  afterAll(async () => {
    await queue?.close();
    await peer?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the AMQP peer is not started yet');
    return value;
  };
  return { peer: () => started(peer), queue: () => started(queue) };
}
