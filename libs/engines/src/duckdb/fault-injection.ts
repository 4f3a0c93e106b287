/**
 * Crash testing: `SLUICE_TEST_KILL_AFTER_STATEMENT=N` SIGKILLs the process right after the
 * N-th statement finished; `SLUICE_TEST_KILL_DURING_STATEMENT=N` (with optional
 * `SLUICE_TEST_KILL_DELAY_MS`, default 5) kills it while the N-th statement runs. Unset: no-op.
 */
export function faultInjector(env: Record<string, string | undefined>): {
  statementStarted(): () => void;
} {
  const after = Number(env.SLUICE_TEST_KILL_AFTER_STATEMENT ?? 0);
  const during = Number(env.SLUICE_TEST_KILL_DURING_STATEMENT ?? 0);
  const delayMs = Number(env.SLUICE_TEST_KILL_DELAY_MS ?? 5);
  let count = 0;
  const kill = (): void => {
    process.kill(process.pid, "SIGKILL");
  };
  return {
    statementStarted() {
      count += 1;
      const n = count;
      if (n === during) setTimeout(kill, delayMs);
      return () => {
        if (n === after) kill();
      };
    },
  };
}
