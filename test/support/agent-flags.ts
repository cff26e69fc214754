/** Command-line flag sets that end-to-end tests give the agent again and again. */

/** `--comm NAME` for each name: capture only these commands. */
export function commFlags(...names: readonly string[]): string[] {
  return names.flatMap((name) => ['--comm', name]);
}

/**
 * Export over OTLP to `endpoint`, sending a batch every `scheduledDelay` (100 ms by default, so
 * that a test's records arrive while it waits, not seconds later).
 */
export function otlpFlags(endpoint: string, scheduledDelay = '100ms'): string[] {
  return ['--otlp-endpoint', endpoint, '--otlp-scheduled-delay', scheduledDelay];
}
