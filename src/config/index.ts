/** The configuration layer: obdio.yaml -> typed Spec, diffs between Specs, and the file watcher. */
export * from './spec.js';
export {
  parseSpecText,
  readConfigFile,
  validateSpec,
  type CommandHooks,
  type CommandProblem,
  type SpecNames,
  type SpecParseResult,
} from './load.js';
export { formatConfigError, type ConfigError, type ConfigErrorCode } from './errors.js';
export { changedSections, differs, touches, type SectionName } from './diff.js';
export { reconfigure, needsRestart, type Part, type PartMetric, type ApplyResult } from './part.js';
export { watchConfigFile, type ConfigFileWatcher, type WatchConfigOptions } from './watch-file.js';
export { parseDuration, parseRate, parseSize, DURATION_HINT, RATE_HINT, SIZE_HINT } from './durations.js';
export { SCHEMA_FILE } from './schema.js';
