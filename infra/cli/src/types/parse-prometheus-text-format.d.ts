// The package ships no types: what `ordo status` reads of its answer.
declare module 'parse-prometheus-text-format' {
  interface Sample {
    value?: string;
    labels?: Record<string, string>;
  }
  interface MetricFamily {
    name: string;
    help: string;
    type: string;
    metrics: Sample[];
  }
  const parsePrometheusTextFormat: (text: string) => MetricFamily[];
  export default parsePrometheusTextFormat;
}
