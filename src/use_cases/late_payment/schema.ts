import { z } from 'zod';
import { daysBetween, REQUIRED } from '../generator-kit.js';

export const CURRENCIES = ['EUR', 'USD', 'GBP', 'SEK', 'PLN', 'CHF'] as const;
export const INDUSTRIES = [
  'retail',
  'manufacturing',
  'construction',
  'hospitality',
  'technology',
  'public_sector',
] as const;
export const COUNTRIES = ['DE', 'FR', 'NL', 'ES', 'IT', 'PL', 'SE', 'GB'] as const;
export const CHANNELS = ['email', 'portal', 'edi', 'post'] as const;

/**
 * One open invoice, as the receivables extract delivers it. Unknown keys (such as the label column of a
 * labeled file) are dropped, so they never reach features or the audit trail.
 */
export const LatePaymentSchema = z
  .object({
    invoice_id: z.string(REQUIRED).min(1).max(64),
    customer_id: z.string(REQUIRED).min(1).max(64),
    customer_name: z.string(REQUIRED).min(1).max(200),
    customer_email: z.email().nullish(),
    invoice_date: z.iso.date(REQUIRED),
    due_date: z.iso.date(REQUIRED),
    amount: z.number(REQUIRED).positive().max(1e9),
    currency: z.enum(CURRENCIES, REQUIRED),
    payment_terms_days: z.number(REQUIRED).int().min(0).max(365),
    customer_tenure_months: z.number(REQUIRED).int().min(0).max(1200),
    prior_invoices: z.number(REQUIRED).int().min(0),
    /** Share of this customer's earlier invoices paid more than 30 days late; absent for new customers. */
    prior_late_rate: z.number().min(0).max(1).nullish(),
    avg_days_late: z.number().min(0).max(3650).nullish(),
    credit_limit_utilisation: z.number().min(0).max(1.5).nullish(),
    industry: z.enum(INDUSTRIES, REQUIRED),
    country: z.enum(COUNTRIES, REQUIRED),
    disputed: z.boolean(REQUIRED),
    channel: z.enum(CHANNELS, REQUIRED),
  })
  .refine((r) => daysBetween(r.invoice_date, r.due_date) >= 0, {
    path: ['due_date'],
    message: 'due_date must not be before invoice_date',
  });

export type LatePaymentRecord = z.infer<typeof LatePaymentSchema>;
