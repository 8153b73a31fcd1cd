/** Go durations, cron schedules and IANA time zones, read as Go and robfig/cron read them. */
export {
  DurationError,
  durationMs,
  formatDuration,
  msToNs,
  nsToMs,
  parseDuration,
  parseDurationMs,
  tryParseDuration,
} from './duration.js';
export {
  CronError,
  cronDescriptors,
  cronProblem,
  nextActivation,
  parseCron,
  type CronFieldName,
  type CronOptions,
  type CronProblem,
  type CronSchedule,
} from './cron.js';
export {
  checkTimeZone,
  goTimeString,
  instantOf,
  isTimeZone,
  offsetAt,
  parseGoTimeString,
  wallAsUtc,
  wallClock,
  zonedInstant,
  type WallClock,
} from './zone.js';
