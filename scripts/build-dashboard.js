#!/usr/bin/env node
// Writes charts/plaintap/dashboards/plaintap.json, the Grafana dashboard of plaintap's own metrics,
// from the panel list below (the raw dashboard model: no __inputs, a stable uid, a datasource
// variable and instance / node variables).
//   node scripts/build-dashboard.js           # write the file
//   node scripts/build-dashboard.js --check   # exit 1 when the committed file is stale
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const target = path.join(__dirname, '..', 'charts', 'plaintap', 'dashboards', 'plaintap.json');

// Every query selects the chosen instances and nodes (`node` is set by the chart's
// ServiceMonitor/PodMonitor relabelling; `.*` also matches series without it).
const SEL = 'instance=~"$instance", node=~"$node"';
const RATE = '$__rate_interval';
const DS = { type: 'prometheus', uid: '${datasource}' };

/** Rows of panels: title, unit, description, targets as [legend, PromQL], stacked or not. */
const ROWS = [
  {
    title: 'Traffic',
    panels: [
      {
        title: 'Exchanges/s by protocol and status class',
        unit: 'reqps',
        description: 'Exchanges that got a response, by protocol and HTTP status class (from the duration histogram).',
        targets: [
          [
            '{{protocol}} {{status_class}}',
            `sum by (protocol, status_class) (rate(plaintap_exchange_duration_seconds_count{${SEL}}[${RATE}]))`,
          ],
        ],
        stack: true,
      },
      {
        title: 'Exchanges/s by completeness',
        unit: 'reqps',
        description: 'Every exchange emitted; incomplete ones timed out or lost their connection before the response.',
        targets: [
          [
            '{{protocol}} {{completeness}}',
            `sum by (protocol, completeness) (rate(plaintap_exchanges_total{${SEL}}[${RATE}]))`,
          ],
        ],
        stack: true,
      },
      {
        title: 'Exchange duration percentiles',
        unit: 's',
        description: 'First request byte to last response byte, from plaintap_exchange_duration_seconds.',
        targets: ['0.5', '0.9', '0.99'].map((q) => [
          `p${Number(q) * 100} {{protocol}}`,
          `histogram_quantile(${q}, sum by (le, protocol) (rate(plaintap_exchange_duration_seconds_bucket{${SEL}}[${RATE}])))`,
        ]),
      },
      {
        title: 'Captured plaintext',
        unit: 'Bps',
        description: 'Plaintext bytes received from the kernel.',
        targets: [['bytes/s {{instance}}', `sum by (instance) (rate(plaintap_captured_bytes_total{${SEL}}[${RATE}]))`]],
      },
      {
        title: 'Kernel records/s by kind',
        unit: 'ops',
        targets: [['{{kind}}', `sum by (kind) (rate(plaintap_events_received_total{${SEL}}[${RATE}]))`]],
      },
      {
        title: 'Live connection workers',
        unit: 'short',
        description: 'One worker per connection being followed.',
        targets: [['{{instance}}', `sum by (instance) (plaintap_connection_workers{${SEL}})`]],
      },
    ],
  },
  {
    title: 'Losses',
    panels: [
      {
        title: 'Drops/s by stage and reason',
        unit: 'ops',
        description:
          'Records dropped in the native reader, the processor and before export. Anything above 0 is data lost.',
        targets: [
          ['native {{reason}}', stage('native', 'plaintap_native_dropped_total')],
          ['processor {{reason}}', stage('processor', 'plaintap_processor_dropped_total')],
          ['export {{reason}}', stage('export', 'plaintap_export_dropped_total')],
        ],
      },
      {
        title: 'Kernel ring-buffer losses/s',
        unit: 'ops',
        description: 'Records the kernel could not put into the ring buffer: raise capture.ring_buffer_size.',
        targets: [['{{instance}}', `sum by (instance) (rate(plaintap_kernel_lost_samples_total{${SEL}}[${RATE}]))`]],
      },
      {
        title: 'Truncations and parse errors/s',
        unit: 'ops',
        targets: [
          ['truncated {{reason}}', `sum by (reason) (rate(plaintap_truncations_total{${SEL}}[${RATE}]))`],
          ['parse errors {{protocol}}', `sum by (protocol) (rate(plaintap_parse_errors_total{${SEL}}[${RATE}]))`],
        ],
      },
    ],
  },
  {
    title: 'Export',
    panels: [
      {
        title: 'Records exported/s',
        unit: 'ops',
        targets: [['{{exporter}}', `sum by (exporter) (rate(plaintap_records_exported_total{${SEL}}[${RATE}]))`]],
      },
      {
        title: 'Export queue depth',
        unit: 'short',
        description: 'Records waiting for export, against the bound (drops start there).',
        targets: [
          ['depth {{instance}}', `sum by (instance) (plaintap_export_queue_depth{${SEL}})`],
          ['capacity {{instance}}', `sum by (instance) (plaintap_export_queue_capacity{${SEL}})`],
        ],
      },
      {
        title: 'Export queue bytes',
        unit: 'bytes',
        targets: [
          ['bytes {{instance}}', `sum by (instance) (plaintap_export_queue_bytes{${SEL}})`],
          ['capacity {{instance}}', `sum by (instance) (plaintap_export_queue_bytes_capacity{${SEL}})`],
        ],
      },
      {
        title: 'Export failures and retries/s',
        unit: 'ops',
        description: 'Failed batches (after retries), records in them, and retried attempts.',
        targets: [
          ['failed batches', `sum by (exporter) (rate(plaintap_export_failures_total{${SEL}}[${RATE}]))`],
          ['failed records', `sum by (exporter) (rate(plaintap_export_failed_records_total{${SEL}}[${RATE}]))`],
          ['retries', `sum by (exporter) (rate(plaintap_export_retries_total{${SEL}}[${RATE}]))`],
        ],
      },
    ],
  },
  {
    title: 'Agent',
    panels: [
      {
        title: 'TLS targets by outcome',
        unit: 'short',
        description: 'Libraries and binaries probed (attached), or not (failed, skipped), per library.',
        targets: [['{{library}} {{result}}', `sum by (library, result) (plaintap_attached_targets{${SEL}})`]],
        stack: true,
      },
      {
        title: 'Agent CPU',
        unit: 'percentunit',
        targets: [['{{instance}}', `sum by (instance) (rate(process_cpu_seconds_total{${SEL}}[${RATE}]))`]],
      },
      {
        title: 'Agent memory (RSS)',
        unit: 'bytes',
        targets: [['{{instance}}', `sum by (instance) (process_resident_memory_bytes{${SEL}})`]],
      },
      {
        title: 'Agents by version',
        unit: 'short',
        targets: [['{{version}}', `count by (version) (plaintap_build_info{${SEL}})`]],
      },
    ],
  },
];

function stage(name, metric) {
  return `label_replace(sum by (reason) (rate(${metric}{${SEL}}[${RATE}])), "stage", "${name}", "", "")`;
}

function build() {
  const panels = [];
  let id = 1;
  let y = 0;
  for (const row of ROWS) {
    panels.push({
      type: 'row',
      id: id++,
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    row.panels.forEach((panel, index) => {
      const x = (index % 3) * 8;
      if (index > 0 && index % 3 === 0) y += 8;
      panels.push({
        type: 'timeseries',
        id: id++,
        title: panel.title,
        ...(panel.description && { description: panel.description }),
        datasource: DS,
        gridPos: { h: 8, w: 8, x, y },
        fieldConfig: {
          defaults: {
            unit: panel.unit,
            min: 0,
            custom: {
              drawStyle: 'line',
              lineWidth: 1,
              fillOpacity: panel.stack ? 30 : 10,
              stacking: { mode: panel.stack ? 'normal' : 'none', group: 'A' },
            },
          },
          overrides: [],
        },
        options: {
          legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
          tooltip: { mode: 'multi', sort: 'desc' },
        },
        targets: panel.targets.map(([legend, expr], i) => ({
          refId: String.fromCharCode(65 + i),
          datasource: DS,
          expr,
          legendFormat: legend,
          range: true,
        })),
      });
    });
    y += 8;
  }
  const variable = (name, label, query) => ({
    name,
    label,
    type: 'query',
    datasource: DS,
    query: { query, refId: `${name}-query` },
    definition: query,
    refresh: 2,
    includeAll: true,
    allValue: '.*',
    multi: true,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
  });
  return {
    uid: 'plaintap-agent',
    title: 'plaintap',
    description: 'plaintap agents: captured exchanges, latency, losses, export and the agents themselves.',
    tags: ['plaintap', 'ebpf', 'opentelemetry'],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
          refresh: 1,
        },
        variable('instance', 'Instance', 'label_values(plaintap_build_info, instance)'),
        variable('node', 'Node', 'label_values(plaintap_build_info{instance=~"$instance"}, node)'),
      ],
    },
    annotations: { list: [] },
    links: [],
    panels,
  };
}

const text = `${JSON.stringify(build(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current !== text) {
    console.error(`${path.relative(path.join(__dirname, '..'), target)} is stale: run node scripts/build-dashboard.js`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(target, text);
}
