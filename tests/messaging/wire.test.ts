import { describe, expect, it } from 'vitest';
import { serviceBusOverPeer } from './amqp-peer.js';

describe('Service Bus adapter at the wire (rhea AMQP 1.0 peer)', () => {
  const sb = serviceBusOverPeer('retrain-requests');

  it('sends body, message id, application properties and subject over AMQP after a CBS put-token', async () => {
    const body = { useCase: 'late_payment', window: '2026-11-30', receipt: { psi: { score: 0.31 } } };
    const result = await sb.queue().send({
      messageId: 'late_payment:2026-11-30',
      body,
      applicationProperties: {
        useCase: 'late_payment',
        windowDate: '2026-11-30',
        maxPsi: 0.31,
        breached: true,
      },
      subject: 'late_payment',
    });
    expect(result).toEqual({ messageId: 'late_payment:2026-11-30', accepted: true });
    expect(sb.peer().tokens.some((audience) => audience.includes('retrain-requests'))).toBe(true);
    expect(sb.peer().received).toHaveLength(1);
    const [wire] = sb.peer().received;
    expect(wire?.address).toBe('retrain-requests');
    expect(wire?.message.message_id).toBe('late_payment:2026-11-30');
    expect(wire?.message.subject).toBe('late_payment');
    expect(wire?.message.content_type).toBe('application/json');
    expect(wire?.message.application_properties).toEqual({
      useCase: 'late_payment',
      windowDate: '2026-11-30',
      maxPsi: 0.31,
      breached: true,
    });
    expect(wire?.data, 'body as an AMQP data section').toBeDefined();
    expect(JSON.parse(wire?.data?.toString('utf8') ?? 'null')).toEqual(body);
  });
});
