/** The float32 arithmetic onnxruntime uses, emulated so TypeScript predictions match the exported model. */

const f32 = Math.fround;

/** onnxruntime's ComputeLogistic on a float32 margin: 1 / (1 + e^-|s|), mirrored for s < 0. */
export function sigmoid32(margin: number): number {
  const s = f32(margin);
  const v = f32(1 / f32(1 + f32(Math.exp(-Math.abs(s)))));
  return s < 0 ? f32(1 - v) : v;
}

/** Numerically stable logistic in float64 (training). */
export function sigmoid(margin: number): number {
  if (margin >= 0) return 1 / (1 + Math.exp(-margin));
  const e = Math.exp(margin);
  return e / (1 + e);
}

/** log(1 + e^m) without overflow. */
export function softplus(margin: number): number {
  return margin > 0 ? margin + Math.log1p(Math.exp(-margin)) : Math.log1p(Math.exp(margin));
}
