/** Small dense linear algebra for the Newton solver. */

/**
 * Solves A·x = b for a symmetric positive-definite `n × n` row-major A by Cholesky factorisation.
 * Adds jitter to the diagonal when a pivot is not positive (a nearly singular Hessian).
 */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  let jitter = 0;
  for (let attempt = 0; attempt < 8; attempt++) {
    const L = cholesky(A, n, jitter);
    if (L !== undefined) {
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = b[i] as number;
        for (let k = 0; k < i; k++) s -= (L[i * n + k] as number) * (y[k] as number);
        y[i] = s / (L[i * n + i] as number);
      }
      const x = new Float64Array(n);
      for (let i = n - 1; i >= 0; i--) {
        let s = y[i] as number;
        for (let k = i + 1; k < n; k++) s -= (L[k * n + i] as number) * (x[k] as number);
        x[i] = s / (L[i * n + i] as number);
      }
      return x;
    }
    jitter = jitter === 0 ? 1e-10 : jitter * 100;
  }
  throw new Error('matrix is not positive definite');
}

function cholesky(A: Float64Array, n: number, jitter: number): Float64Array | undefined {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j] as number;
      if (i === j) s += jitter;
      for (let k = 0; k < j; k++) s -= (L[i * n + k] as number) * (L[j * n + k] as number);
      if (i === j) {
        if (!(s > 0)) return undefined;
        L[i * n + i] = Math.sqrt(s);
      } else {
        L[i * n + j] = s / (L[j * n + j] as number);
      }
    }
  }
  return L;
}
