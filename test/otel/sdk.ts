// The OpenTelemetry SDK as a user sets it up (trace SDK, metrics SDK, a context manager),
// with in-memory exporters, and spans as plain JSON so a spawned runtime can print them.
import { context, metrics, trace, type ContextManager } from '@opentelemetry/api'
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace'

/** A span as the tests read it, the same in-process and from a spawned runtime's stdout. */
export interface SpanJson {
  name: string
  kind: number
  traceId: string
  spanId: string
  parentSpanId?: string
  attributes: Record<string, unknown>
  status: { code: number; message?: string }
  events: Array<{ name: string; attributes: Record<string, unknown> }>
  links: Array<{ traceId: string; spanId: string }>
  startMs: number
  endMs: number
}

const ms = ([seconds, nanos]: [number, number]) => seconds * 1000 + nanos / 1e6

export function spanJson(span: ReadableSpan): SpanJson {
  const json: SpanJson = {
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    attributes: { ...span.attributes },
    status: { ...span.status },
    events: span.events.map((event) => ({ name: event.name, attributes: { ...event.attributes } })),
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
    startMs: ms(span.startTime),
    endMs: ms(span.endTime),
  }
  if (span.parentSpanContext) json.parentSpanId = span.parentSpanContext.spanId
  return json
}

/** Prints every ended span as one JSON line (`{ type: 'span', span }`) on stdout. */
class JsonLineExporter implements SpanExporter {
  export(spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    for (const span of spans) console.log(JSON.stringify({ type: 'span', span: spanJson(span) }))
    done({ code: 0 })
  }
  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

/** A reader the test collects from when it likes (no export interval). */
class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

export interface Sdk {
  spans(): SpanJson[]
  /** Every data point of the `finish_request.*` metrics, by metric name. */
  metrics(): Promise<Record<string, Array<{ attributes: Record<string, unknown>; value: unknown }>>>
  reset(): void
}

/** Registers the SDK globally, as `NodeSDK.start()` would (without its auto-instrumentation). */
export function startSdk(contextManager: ContextManager, options: { print?: boolean } = {}): Sdk {
  const memory = new InMemorySpanExporter()
  const spanProcessors = [new SimpleSpanProcessor({ exporter: memory })]
  if (options.print) spanProcessors.push(new SimpleSpanProcessor({ exporter: new JsonLineExporter() }))
  context.setGlobalContextManager(contextManager.enable())
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors }))
  const reader = new CollectingReader()
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
  return {
    spans: () => memory.getFinishedSpans().map(spanJson),
    reset: () => memory.reset(),
    async metrics() {
      const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics }
      const out: Record<string, Array<{ attributes: Record<string, unknown>; value: unknown }>> = {}
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          if (!metric.descriptor.name.startsWith('finish_request.')) continue
          out[metric.descriptor.name] = metric.dataPoints.map((point) => ({ attributes: { ...point.attributes }, value: point.value }))
        }
      }
      return out
    },
  }
}
