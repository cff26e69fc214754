/** The running agent's Prometheus endpoint, as a test reads it: the address from the ready line, /metrics, one sample. */
import assert from 'node:assert/strict';
import type { AgentProcess } from './agent-process';
import { httpGet, sampleValue } from './http-get';

/** `HOST:PORT` of the agent's metrics server: `metrics=HOST:PORT` in its ready line (asserts it serves one). */
export function metricsAddress(agent: Pick<AgentProcess, 'readyLine'>): string {
  const address = /\bmetrics=(\S+)/.exec(agent.readyLine)?.[1];
  assert.ok(address && address !== 'off', `metrics address in the ready line: ${agent.readyLine}`);
  return address;
}

/** `http://HOST:PORT` of the agent's metrics server. */
export function metricsBase(agent: Pick<AgentProcess, 'readyLine'>): string {
  return `http://${metricsAddress(agent)}`;
}

/** The agent's /metrics text (asserts a 200). */
export async function scrapeMetrics(agent: Pick<AgentProcess, 'readyLine'>): Promise<string> {
  const answer = await httpGet(`${metricsBase(agent)}/metrics`);
  assert.equal(answer.status, 200);
  return answer.body;
}

/**
 * Scrapes the agent's /metrics every 200 ms until `done` holds for the value of `name{labels}`
 * (undefined while the series is absent) or `timeoutMs` has passed; resolves with the last value.
 */
export async function pollSample(
  agent: Pick<AgentProcess, 'readyLine'>,
  name: string,
  labels: Readonly<Record<string, string>>,
  done: (value: number | undefined) => boolean,
  timeoutMs = 30_000,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = sampleValue(await scrapeMetrics(agent), name, labels);
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until the agent's /metrics shows `name{labels}` at least `min` (throws after `timeoutMs`); resolves with the value. */
export async function waitForSample(
  agent: AgentProcess,
  name: string,
  labels: Readonly<Record<string, string>>,
  min: number,
  timeoutMs = 30_000,
): Promise<number> {
  const value = (await pollSample(agent, name, labels, (v) => (v ?? 0) >= min, timeoutMs)) ?? 0;
  if (value < min) throw new Error(`${name}${JSON.stringify(labels)} stayed at ${value} (< ${min})\n${agent.stderr()}`);
  return value;
}
