import { type RuntimeConfig } from '@aerial/contracts';
import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  /** The process's name in every line (`hub`, `engine`, `stage`, a Lambda's name). */
  readonly name: string;
  readonly level: RuntimeConfig['LOG_LEVEL'];
  /**
   * Human-readable lines instead of JSON. JSON is what CloudWatch and Kubernetes log pipelines
   * index, so it is the default; a terminal gets pretty lines. @default stderr is a TTY
   */
  readonly pretty?: boolean;
}

/**
 * The pino options every Aerial process logs with (fastify takes them as its own `logger`, so the
 * Hub's request logs and ours are one stream). Logs go to stderr: stdout belongs to a program's
 * output (the CLI's tables, a stage's protocol lines).
 */
export function loggerOptions(settings: LoggerSettings): LoggerOptions {
  const pretty = settings.pretty ?? process.stderr.isTTY === true;
  return {
    name: settings.name,
    level: settings.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Never log a credential, even when a caller passes a whole request or config object.
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.password', '*.secret', '*.token'],
      censor: '[redacted]',
    },
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { destination: 2, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' },
          },
        }
      : {}),
  };
}

/** A logger writing to stderr with {@link loggerOptions}. */
export function createLogger(settings: LoggerSettings): Logger {
  const options = loggerOptions(settings);
  return options.transport ? pino(options) : pino(options, pino.destination({ fd: 2, sync: false }));
}

/** A logger that writes nothing: the default where a caller gives none (tests, in-process runs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
