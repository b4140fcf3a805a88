/**
 * @module The registry of use cases. Adding one is a folder under src/use_cases plus one line in
 * `USE_CASES`; the platform iterates over this list and never names a use case itself.
 */
import type { AnyUseCase } from '../platform/use-case/index.js';
import { customerChurn } from './customer_churn/index.js';
import { invoiceFraud } from './invoice_fraud/index.js';
import { latePayment } from './late_payment/index.js';

export const USE_CASES: readonly AnyUseCase[] = [latePayment, invoiceFraud, customerChurn];

export const USE_CASE_NAMES: readonly string[] = USE_CASES.map((useCase) => useCase.name);

/** The use case called `name`, or undefined for a name no folder defines. */
export function getUseCase(name: string): AnyUseCase | undefined {
  return USE_CASES.find((useCase) => useCase.name === name);
}
