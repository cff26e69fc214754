/**
 * `plaintap [options]`: parse the configuration, then run the agent until
 * SIGINT/SIGTERM/SIGHUP. Exit codes: 0 clean stop, 1 cannot start (privilege,
 * kernel feature, native failure, metrics address in use), 2 bad configuration,
 * 3 forced stop (a second signal while stopping).
 */
import { runAgent, type AgentMode } from './agent';
import { ConfigError, loadConfig, type LoadedConfig } from './config/load-config';
import { missingProcesses } from './config/missing-processes';
import type { EffectiveValue } from './config/option-spec';
import { toPlaintapConfig } from './config/plaintap-config';
import { renderEffectiveConfig, renderOptionsHelp } from './config/render-config';
import { VERSION } from './version';

export const EXIT_OK = 0;
export const EXIT_CANNOT_CAPTURE = 1;
export const EXIT_BAD_CONFIG = 2;

const USAGE = `plaintap ${VERSION} — TLS plaintext capture with eBPF, as HTTP exchanges and OpenTelemetry logs

Usage: plaintap [options]              capture until SIGINT/SIGTERM/SIGHUP (needs root or CAP_BPF+CAP_PERFMON)
       plaintap record FILE [options]  capture into FILE (0600, plaintext) for later replay; stdout off
                                       unless --output is given; --record FILE records beside normal output
       plaintap keylog FILE [options]  write each TLS session's secrets to FILE (0600, NSS key log format,
                                       for Wireshark); stdout off unless --output; --keylog FILE beside output
       plaintap pcap FILE [options]    write the captured processes' packets to FILE (0600, pcapng with the
                                       TLS secrets embedded); stdout off unless --output; --pcapng FILE beside
       plaintap replay FILE [options]  run a record file through the same processing and outputs, as fast
                                       as possible (--realtime: with the recorded pacing); no privilege needed
       npm start -- [options]

Records go to stdout (--output) and, when an OTLP endpoint is set (--otlp-endpoint or
OTEL_EXPORTER_OTLP_[LOGS_]ENDPOINT), to an OpenTelemetry Collector as OTLP/gRPC logs.
Secrets (Authorization, Cookie, *token* … headers; token, password, api_key … query keys and
JSON/form body values) are REDACTED in every output; bodies reach JSON/OTLP only with --body-capture.
Health: /metrics, /healthz, /readyz on --metrics-address (default 127.0.0.1:9464).

Options:
  -c, --config FILE            YAML configuration file [env PLAINTAP_CONFIG]
      --print-config           Print the effective configuration (and where each value came from), then exit
  -V, --version                Print the version, then exit
  -h, --help                   Print this help, then exit
${renderOptionsHelp()}

Precedence: flags > environment > config file > defaults.
Signals: SIGINT, SIGTERM and SIGHUP stop cleanly (flush, OTLP drain, summary line); a second one
while stopping exits at once. A closed stdout (EPIPE) stops the stdout output only.
Exit codes: 0 stopped cleanly, 1 cannot start (privilege, kernel feature, native failure, metrics
address in use), 2 invalid configuration, 3 forced stop (a second signal before the flush finished).
`;

interface Command {
  readonly mode: AgentMode;
  /** Values the subcommand implies where the user set nothing. */
  readonly defaults: Readonly<Record<string, EffectiveValue['value']>>;
}

/** The commands that capture into a file, and the option each sets. */
const FILE_COMMANDS: Readonly<Record<string, string>> = {
  record: 'capture.record',
  keylog: 'capture.keylog',
  pcap: 'capture.pcapng',
};

/** `plaintap`, `plaintap record|keylog|pcap FILE` or `plaintap replay FILE`. */
function parseCommand(loaded: LoadedConfig): Command {
  const [name, file, extra] = loaded.positionals;
  if (name === undefined) return { mode: { kind: 'capture' }, defaults: {} };
  const fileOption = FILE_COMMANDS[name];
  if (fileOption === undefined && name !== 'replay')
    throw new ConfigError(`unknown command "${name}" (commands: record, keylog, pcap, replay; see plaintap --help)`);
  if (file === undefined || file === '') throw new ConfigError(`plaintap ${name} needs a FILE`);
  if (extra !== undefined) throw new ConfigError(`unexpected argument "${extra}" after plaintap ${name} FILE`);
  if (fileOption !== undefined)
    return { mode: { kind: 'capture' }, defaults: { [fileOption]: file, 'output.format': 'none' } };
  const realtime = loaded.values.get('replay.realtime')?.value === true;
  // A replay serves no metrics unless asked: a live agent on this host likely holds the default port.
  return { mode: { kind: 'replay', file, realtime }, defaults: { 'metrics.address': 'off' } };
}

/** The effective values with the command's defaults applied where the user set nothing. */
function withCommandDefaults(values: LoadedConfig['values'], defaults: Command['defaults']): LoadedConfig['values'] {
  const merged = new Map(values);
  for (const [key, value] of Object.entries(defaults)) {
    if (Object.values(FILE_COMMANDS).includes(key) || merged.get(key)?.source === 'default')
      merged.set(key, { value, source: 'flag' });
  }
  return merged;
}

async function main(argv: readonly string[]): Promise<number> {
  let loaded: LoadedConfig;
  let command: Command;
  try {
    loaded = loadConfig({ argv, env: process.env });
    command = parseCommand(loaded);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`plaintap: invalid configuration: ${error.message}\n`);
    return EXIT_BAD_CONFIG;
  }
  if (loaded.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (loaded.version) {
    process.stdout.write(`plaintap ${VERSION}\n`);
    return EXIT_OK;
  }
  const values = withCommandDefaults(loaded.values, command.defaults);
  if (loaded.printConfig) {
    process.stdout.write(renderEffectiveConfig(values));
    return EXIT_OK;
  }
  let config;
  try {
    config = toPlaintapConfig(values);
  } catch (error) {
    process.stderr.write(`plaintap: invalid configuration: ${(error as Error).message}\n`);
    return EXIT_BAD_CONFIG;
  }
  // Checked here, not while parsing: whether a process runs is a fact of this host, now.
  const missing = command.mode.kind === 'capture' ? missingProcesses(config.capture.pids) : [];
  if (missing.length > 0) {
    process.stderr.write(
      `plaintap: invalid configuration: capture.pids: no such process: ${missing.join(', ')} (not in /proc)\n`,
    );
    return EXIT_BAD_CONFIG;
  }
  return runAgent(config, command.mode);
}

// After a stop, anything still holding the event loop (a gRPC channel past the shutdown
// deadline) must not keep the process alive: exit shortly after with the code already set.
const EXIT_GRACE_MS = 2000;

// A closed stderr must not end the agent: diagnostics are then lost, capture goes on.
process.stderr.on('error', () => {});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  },
  (error: unknown) => {
    process.stderr.write(`plaintap: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = EXIT_CANNOT_CAPTURE;
  },
);
