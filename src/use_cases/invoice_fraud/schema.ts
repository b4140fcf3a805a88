import { z } from 'zod';
import { REQUIRED } from '../generator-kit.js';

export const CURRENCIES = ['EUR', 'USD', 'GBP', 'SEK', 'PLN'] as const;
export const COUNTRIES = ['DE', 'FR', 'NL', 'ES', 'IT', 'PL', 'SE', 'GB'] as const;
export const CATEGORIES = [
  'it_services',
  'consulting',
  'office_supplies',
  'logistics',
  'facilities',
  'marketing',
  'raw_materials',
  'travel',
] as const;

/**
 * One supplier invoice awaiting payment, as accounts payable submits it. Unknown keys (such as the label
 * column of a labeled file) are dropped, so they never reach features or the audit trail.
 */
export const InvoiceFraudSchema = z.object({
  invoice_id: z.string(REQUIRED).min(1).max(64),
  /** The vendor's own invoice number, as printed. */
  invoice_number: z.string(REQUIRED).min(1).max(64),
  vendor_id: z.string(REQUIRED).min(1).max(64),
  vendor_name: z.string(REQUIRED).min(1).max(200),
  vendor_age_days: z.number(REQUIRED).int().min(0).max(36_500),
  /** Days since the vendor's bank account was last changed; absent when it never was. */
  bank_account_changed_days_ago: z.number().int().min(0).max(36_500).nullish(),
  amount: z.number(REQUIRED).positive().max(1e9),
  currency: z.enum(CURRENCIES, REQUIRED),
  /** Mean of the vendor's earlier invoices; absent without history. */
  vendor_avg_amount: z.number().positive().max(1e9).nullish(),
  /** An earlier invoice of the same vendor has an invoice number within edit distance 1. */
  near_duplicate_invoice_number: z.boolean(REQUIRED),
  /** When the invoice was submitted, with the submitter's UTC offset. */
  submitted_at: z.iso.datetime({ offset: true, ...REQUIRED }),
  approver_count: z.number(REQUIRED).int().min(0).max(20),
  po_matched: z.boolean(REQUIRED),
  line_items: z.number(REQUIRED).int().min(1).max(10_000),
  country: z.enum(COUNTRIES, REQUIRED),
  category: z.enum(CATEGORIES, REQUIRED),
});

export type InvoiceFraudRecord = z.infer<typeof InvoiceFraudSchema>;
