// A time limit for awaiting workers: a test whose workers are blocked for good fails with a
// message saying what it waited for, instead of hanging until the runner's global timeout.

/** Resolves as `promise` does, or rejects with `message` once `ms` have passed. */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(message));
    }, ms);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
