/**
 * `plaintap [options]`: parse the configuration, then run the agent until
 * SIGINT/SIGTERM. Exit codes: 0 clean stop, 1 cannot start (privilege,
 * kernel feature, native failure, metrics address in use), 2 bad configuration.
 */
import { runAgent } from './agent';
import { ConfigError, loadConfig, type LoadedConfig } from './config/load-config';
import { toPlaintapConfig } from './config/plaintap-config';
import { renderEffectiveConfig, renderOptionsHelp } from './config/render-config';
import { VERSION } from './version';

export const EXIT_OK = 0;
export const EXIT_CANNOT_CAPTURE = 1;
export const EXIT_BAD_CONFIG = 2;

const USAGE = `plaintap ${VERSION} — TLS plaintext capture with eBPF, as HTTP exchanges and OpenTelemetry logs

Usage: plaintap [options]          capture until SIGINT/SIGTERM (needs root or CAP_BPF+CAP_PERFMON)
       npm start -- [options]

Records go to stdout (--output) and, when an OTLP endpoint is set (--otlp-endpoint or
OTEL_EXPORTER_OTLP_[LOGS_]ENDPOINT), to an OpenTelemetry Collector as OTLP/gRPC logs.
Secrets (Authorization, Cookie, … headers; signed-URL query keys) are REDACTED in every output.
Health: /metrics, /healthz, /readyz on --metrics-address (default 127.0.0.1:9464).

Options:
  -c, --config FILE            YAML configuration file [env PLAINTAP_CONFIG]
      --print-config           Print the effective configuration (and where each value came from), then exit
  -V, --version                Print the version, then exit
  -h, --help                   Print this help, then exit
${renderOptionsHelp()}

Precedence: flags > environment > config file > defaults. Exit codes: 0 stopped cleanly,
1 cannot start (privilege, kernel feature, native failure, metrics address in use),
2 invalid configuration.
`;

async function main(argv: readonly string[]): Promise<number> {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({ argv, env: process.env });
    if (loaded.positionals.length > 0) throw new ConfigError(`unexpected argument "${loaded.positionals[0]}" (see plaintap --help)`);
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
  if (loaded.printConfig) {
    process.stdout.write(renderEffectiveConfig(loaded.values));
    return EXIT_OK;
  }
  return runAgent(toPlaintapConfig(loaded.values));
}

// After a stop, anything still holding the event loop (a gRPC channel past the shutdown
// deadline) must not keep the process alive: exit shortly after with the code already set.
const EXIT_GRACE_MS = 2000;

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
