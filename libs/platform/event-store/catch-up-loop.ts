// Runs a subscriber's catch-up pass on demand. Notifications that arrive during a pass coalesce into one
// more pass; a pass that fails is retried with exponential backoff (it resumes from its checkpoint), and
// the failure is still reported to whoever asked for that pass.
export function catchUpLoop(
  catchUp: () => Promise<void>,
  options: { onError?: (error: unknown) => void; retryMs?: number; maxRetryMs?: number } = {},
) {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  function trigger(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await catchUp();
        } while (again && !stopped);
        failures = 0;
      } catch (error) {
        failures++;
        options.onError?.(error);
        const delay = Math.min(options.maxRetryMs ?? 30_000, (options.retryMs ?? 500) * 2 ** (failures - 1));
        clearTimeout(retryTimer);
        if (!stopped) retryTimer = setTimeout(() => void trigger().catch(() => undefined), delay).unref();
        throw error;
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    trigger,
    /** Fire and forget (a notification): failures are reported through onError and retried. */
    poke: () => void trigger().catch(() => undefined),
    isStopped: () => stopped,
    /** No new pass starts; the one running finishes. */
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      await running?.catch(() => undefined);
    },
  };
}
