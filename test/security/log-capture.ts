import { createLogger, type Logger } from '../../src/logging';

/** A real pino logger at `debug` whose every line lands in memory, so tests can grep what production would ship. */
export function capturedLogger(options: { redactHeaders?: string[] } = {}): {
  logger: Logger;
  text(): string;
  lines(): Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const logger = createLogger({
    level: 'debug',
    redactHeaders: options.redactHeaders,
    destination: { write: (chunk: string) => void chunks.push(chunk) },
  });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
