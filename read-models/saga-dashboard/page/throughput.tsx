// The throughput strip: instances started, completed, rolled back and failed per minute over
// the last hour, as a small uPlot chart, read again every minute.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { api, messageOf, type Throughput } from './api';

const REFRESH_MS = 60_000;
const HEIGHT = 130;

const SERIES: { field: 'started' | 'completed' | 'rolledBack' | 'failed'; label: string; stroke: string }[] = [
  { field: 'started', label: 'started', stroke: '#2f6db5' },
  { field: 'completed', label: 'completed', stroke: '#2e8540' },
  { field: 'rolledBack', label: 'rolled back', stroke: '#c47f00' },
  { field: 'failed', label: 'failed', stroke: '#c0392b' },
];

const dataOf = (throughput: Throughput): uPlot.AlignedData => [
  throughput.minutes.map((minute) => Date.parse(minute.minute) / 1_000),
  ...SERIES.map(({ field }) => throughput.minutes.map((minute) => minute[field])),
];

export const ThroughputStrip = () => {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const [throughput, setThroughput] = useState<Throughput | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const load = async () => {
      try {
        const loaded = await api.throughput();
        if (!current) return;
        setThroughput(loaded);
        setError(null);
      } catch (failure) {
        if (current) setError(messageOf(failure));
      }
    };
    void load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => {
      current = false;
      window.clearInterval(timer);
    };
  }, []);

  useEffect(() => {
    const element = container.current;
    if (!element || !throughput) return;
    if (chart.current) {
      chart.current.setData(dataOf(throughput));
      return;
    }
    chart.current = new uPlot(
      {
        width: Math.max(element.clientWidth, 300),
        height: HEIGHT,
        cursor: { drag: { x: false, y: false } },
        legend: { live: false },
        scales: { x: { time: true }, y: { range: (_self, _min, max) => [0, Math.max(max, 1)] } },
        axes: [
          { stroke: '#555', grid: { stroke: '#eee' } },
          { stroke: '#555', grid: { stroke: '#eee' }, size: 40 },
        ],
        series: [{ label: 'minute' }, ...SERIES.map(({ label, stroke }) => ({ label, stroke, width: 1.5, points: { show: false } }))],
      },
      dataOf(throughput),
      element,
    );
  }, [throughput]);

  // The chart follows its container's width.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const observer = new ResizeObserver(() => chart.current?.setSize({ width: Math.max(element.clientWidth, 300), height: HEIGHT }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  const totals = throughput
    ? SERIES.map(({ field, label }) => `${throughput.minutes.reduce((sum, minute) => sum + minute[field], 0)} ${label}`).join(' · ')
    : '';
  return (
    <section class="throughput panel" aria-label="Throughput">
      <h2>
        Last hour, per minute <span class="muted">{totals}</span>
      </h2>
      {error && (
        <p class="problem" role="alert">
          {error}
        </p>
      )}
      <div class="chart" ref={container} />
    </section>
  );
};
