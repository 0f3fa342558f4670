// winston loggers. Every line about an object carries its namespace, name and (inside a
// handler) the handler id and attempt, as structured fields.
import winston from 'winston';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level?: string;
  /** 'json' for machines (the default in a cluster), 'text' for people. */
  format?: 'json' | 'text';
  silent?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const format =
    options.format === 'text'
      ? winston.format.combine(
          winston.format.timestamp(),
          winston.format.printf(({ timestamp, level, message, ...meta }) => {
            const fields = Object.entries(meta)
              .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
              .join(' ');
            return `${String(timestamp)} ${level} ${String(message)}${fields ? ` ${fields}` : ''}`;
          }),
        )
      : winston.format.combine(winston.format.timestamp(), winston.format.json());
  // winston formats every entry (timestamp, JSON) before its transport drops those below the
  // level: a handler's per-run info line would cost that work at the default 'warn' of busy
  // operators. This drops them first (a format that returns false filters the entry).
  const enabled = winston.format((info) => (logger.isLevelEnabled(info.level) ? info : false));
  const logger: Logger = winston.createLogger({
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    format: winston.format.combine(enabled(), format),
    silent: options.silent ?? false,
    transports: [
      new winston.transports.Console({
        stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'],
      }),
    ],
  });
  return logger;
}
