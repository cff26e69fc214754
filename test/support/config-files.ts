/** Configuration as the agent loads it, from flags, environment and in-memory files (no disk). */
import { loadConfig } from '../../agent/config/load-config';
import { toPlaintapConfig, type PlaintapConfig } from '../../agent/config/plaintap-config';

/** Reads `files[path]`; a path not there fails as a missing file does (ENOENT). */
export function fileReader(files: Readonly<Record<string, string>>): (file: string) => string {
  return (file) => {
    const text = files[file];
    if (text === undefined) throw new Error(`ENOENT: no such file ${file}`);
    return text;
  };
}

/** The validated configuration of `argv`, `env` and `files` (throws what the agent refuses at start). */
export function configFrom(
  argv: string[],
  env: Record<string, string> = {},
  files: Readonly<Record<string, string>> = {},
): PlaintapConfig {
  return toPlaintapConfig(loadConfig({ argv, env, readFile: fileReader(files) }).values);
}
