/**
 * The figures the memory and latency benchmarks read from a running agent: its /metrics
 * (live workers, export queue, drops, Node's heap) and the kernel's view of its memory.
 */
import { scrapeMetrics } from '../support/agent-metrics';
import { sampleValue } from '../support/http-get';
import type { AgentProcess } from '../support/agent-process';
import { readProcessMemory } from './process-memory';

export interface AgentFigures {
  readonly workers: number;
  readonly vmRssBytes: number;
  readonly peakRssBytes: number;
  readonly anonBytes: number;
  readonly fileBytes: number;
  /** The ring buffer's mapping (counted twice by RSS, see ProcessMemory). */
  readonly bpfMapBytes: number;
  /** malloc's main arena (`[heap]`), part of anonBytes. */
  readonly mallocHeapBytes: number;
  /** process_resident_memory_bytes (prom-client reads the same /proc file). */
  readonly residentBytes: number;
  /** V8 heap committed (nodejs_heap_size_total_bytes) and in use. */
  readonly heapTotalBytes: number;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
  readonly queueDepth: number;
  readonly droppedQueueFull: number;
  readonly exported: number;
  readonly failedRecords: number;
  readonly retries: number;
  readonly cpuSeconds: number;
}

export async function agentFigures(agent: AgentProcess): Promise<AgentFigures> {
  const pid = agent.child.pid ?? 0;
  const text = await scrapeMetrics(agent);
  const memory = readProcessMemory(pid);
  const value = (name: string, labels: Record<string, string> = {}): number => sampleValue(text, name, labels) ?? NaN;
  return {
    workers: value('plaintap_connection_workers'),
    vmRssBytes: memory.rssBytes,
    peakRssBytes: memory.peakRssBytes,
    anonBytes: memory.anonBytes,
    fileBytes: memory.fileBytes,
    bpfMapBytes: memory.bpfMapBytes,
    mallocHeapBytes: memory.mallocHeapBytes,
    residentBytes: value('process_resident_memory_bytes'),
    heapTotalBytes: value('nodejs_heap_size_total_bytes'),
    heapUsedBytes: value('nodejs_heap_size_used_bytes'),
    externalBytes: value('nodejs_external_memory_bytes'),
    queueDepth: value('plaintap_export_queue_depth', { exporter: 'otlp' }),
    droppedQueueFull: value('plaintap_export_dropped_total', { exporter: 'otlp', reason: 'queue_full' }),
    exported: value('plaintap_records_exported_total', { exporter: 'otlp' }),
    failedRecords: value('plaintap_export_failed_records_total', { exporter: 'otlp' }),
    retries: value('plaintap_export_retries_total', { exporter: 'otlp' }),
    cpuSeconds: value('process_cpu_seconds_total'),
  };
}
