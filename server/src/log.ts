import { pino } from "pino";
import type { DestinationStream, Logger } from "pino";
import pretty from "pino-pretty";
import type { LogFormat, LogLevel } from "./log-settings.js";
import { DEFAULT_LOG_LEVEL, defaultLogFormat, parseLogFormat, parseLogLevel } from "./log-settings.js";

/** Structured fields of a log line, besides its message (never request metadata, never a secret). */
export type LogFields = Record<string, unknown>;

/** How the daemon logs: see {@link configureLog}. */
export interface LogOptions {
  level: LogLevel;
  format: LogFormat;
}

/**
 * The daemon's log, through pino, on stderr: one line per event with its time, level, message and fields, as JSON
 * or as text. Errors keep their stack and cause chain (pino's `err` serializer). Until {@link configureLog} is
 * called, the level and format come from OUPS_LOG_LEVEL and OUPS_LOG_FORMAT (ignored when invalid), so that a
 * daemon started in-process (tests, embedding) can be quietened too.
 */
export const log = {
  trace: (message: string, fields?: LogFields) => logger.trace(fields ?? {}, message),
  debug: (message: string, fields?: LogFields) => logger.debug(fields ?? {}, message),
  info: (message: string, fields?: LogFields) => logger.info(fields ?? {}, message),
  warn: (message: string, err?: unknown, fields?: LogFields) => logger.warn(withError(err, fields), message),
  error: (message: string, err?: unknown, fields?: LogFields) => logger.error(withError(err, fields), message),
};

let logger: Logger = createLogger(initialOptions());

/** Sets the level and format of every later line (`oups serve` calls it with its flags). */
export function configureLog(options: LogOptions): void {
  logger.flush();
  logger = createLogger(options);
}

function withError(err: unknown, fields: LogFields | undefined): LogFields {
  return err === undefined ? (fields ?? {}) : { ...fields, err };
}

function createLogger({ level, format }: LogOptions): Logger {
  // Synchronous writes: the line of a failure just before exit must not be lost, and lines keep their order.
  const destination: DestinationStream =
    format === "text"
      ? pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY === true, singleLine: true, translateTime: "SYS:standard", ignore: "pid,hostname" })
      : pino.destination({ dest: 2, sync: true });
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names rather than numbers in JSON; pino-pretty reads the numbers itself.
      formatters: format === "json" ? { level: (label) => ({ level: label }) } : {},
    },
    destination,
  );
}

function initialOptions(): LogOptions {
  const env = process.env;
  const orDefault = <T>(parse: () => T | undefined, fallback: T): T => {
    try {
      return parse() ?? fallback;
    } catch {
      return fallback;
    }
  };
  return {
    level: orDefault(() => parseLogLevel(env.OUPS_LOG_LEVEL), DEFAULT_LOG_LEVEL),
    format: orDefault(() => parseLogFormat(env.OUPS_LOG_FORMAT), defaultLogFormat()),
  };
}
