/** The OTLP exporter's counters in the shape the metrics registry reads (exporter="otlp"). */
import type { ExporterStatsSnapshot } from '../../metrics/metrics-sources';
import type { OtlpExporterStats } from './otlp-log-exporter';

export function otlpExporterStatsSnapshot(stats: OtlpExporterStats, exporter = 'otlp'): ExporterStatsSnapshot {
  return {
    exporter,
    exported: stats.exported,
    exportFailures: stats.exportFailures,
    failedRecords: stats.failed,
    exportRetries: stats.exportRetries,
    dropped: {
      queue_full: stats.dropped.queueFull,
      shutdown: stats.dropped.shutdown,
      mapping_error: stats.dropped.mappingError,
    },
    queueDepth: stats.queueDepth,
    queueCapacity: stats.maxQueueSize,
    queueBytes: stats.queueBytes,
    queueBytesCapacity: stats.maxQueueBytes,
  };
}
