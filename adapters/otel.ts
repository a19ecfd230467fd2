import {
  context,
  createTraceState,
  isSpanContextValid,
  createNoopMeter,
  metrics,
  propagation,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Histogram,
  type Link,
  type MeterProvider,
  type Span,
  type SpanContext,
  type Tracer,
  type TracerProvider,
  type UpDownCounter,
} from '@opentelemetry/api'
import type { TaskRegistration, TaskTelemetry, Telemetry, TraceCarrier } from '../src/telemetry.ts'
import type { TaskReport } from '../src/types.ts'
import { checkOptionNames, fail, type OptionNames } from '../src/validate.ts'

export type { Telemetry, TaskRegistration, TaskTelemetry, TraceCarrier } from '../src/telemetry.ts'

export interface OtelOptions {
  /**
   * Start every task's span in a new trace, linked to the span that was active when the
   * task was registered, instead of as its child. For tasks that outlive their request
   * by far, where a trace view would otherwise stretch the request's trace. Default false.
   */
  root?: boolean
  /** Default: the global one (`trace.setGlobalTracerProvider`, or what the Node SDK registers), looked up at each span. */
  tracerProvider?: TracerProvider
  /** Default: the global one (`metrics.setGlobalMeterProvider`), looked up again when it changes. */
  meterProvider?: MeterProvider
}

const SCOPE = 'finish-request'

/** Attribute names: DESIGN.md's "Telemetry" (fixed). */
const NAME = 'finish_request.task.name'
const STATUS = 'finish_request.task.status'
const WAIT_MS = 'finish_request.task.wait_ms'
const DELIVERY = 'finish_request.delivery'
const JOB_ID = 'finish_request.job.id'
const JOB_QUEUE = 'finish_request.job.queue'
const JOB_ATTEMPT = 'finish_request.job.attempt'
const PROGRESS_DONE = 'finish_request.task.progress.done'
const PROGRESS_TOTAL = 'finish_request.task.progress.total'
/** A task may report progress thousands of times: the span keeps the latest, and the first few as events. */
const PROGRESS_EVENTS = 32

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600]
/** From the ~1 ms a delivered response's tasks wait to the 10 s of the default deliveryTimeout. */
const WAIT_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** What the API's global tracer provider delegates to while no SDK registered one. */
const NO_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate()

interface Instruments {
  /** Made from the API's no-op meter: no metrics SDK is registered. */
  off: boolean
  pending: UpDownCounter
  duration: Histogram
  wait: Histogram
}

/**
 * OpenTelemetry for every task: pass it as `telemetry` to `serve()`, `handle()`,
 * `worker()`, the middlewares or `jobs.work()`. One span per task run (`task <name>`,
 * INTERNAL), active while the task runs, parented on the span active when the task was
 * registered (or, for a durable job, on the request that enqueued it); and the metrics
 * `finish_request.tasks.pending`, `finish_request.task.duration`, `finish_request.task.wait`.
 * Without a registered provider, the API's no-ops cost next to nothing.
 */
export function otel(options: OtelOptions = {}): Telemetry {
  const call = 'otel(options)'
  if (options === null || typeof options !== 'object') fail(call, 'options must be an object', options)
  checkOptionNames(call, options, { root: true, tracerProvider: true, meterProvider: true } satisfies OptionNames<OtelOptions>)
  const { root = false, tracerProvider, meterProvider } = options
  if (typeof root !== 'boolean') fail(call, 'options.root must be a boolean', root)
  if (tracerProvider !== undefined && (tracerProvider === null || typeof tracerProvider.getTracer !== 'function')) {
    fail(call, 'options.tracerProvider must be a TracerProvider', tracerProvider)
  }
  if (meterProvider !== undefined && (meterProvider === null || typeof meterProvider.getMeter !== 'function')) {
    fail(call, 'options.meterProvider must be a MeterProvider', meterProvider)
  }
  // The API's global tracer is a proxy that follows a provider registered later.
  const tracer = (tracerProvider ?? trace).getTracer(SCOPE)

  // The global meter provider is not proxied: instruments made from the no-op stay no-ops.
  // So they are made again whenever the global provider changes (an SDK started after
  // the app was imported).
  let instrumentsOf: MeterProvider | undefined
  let instruments: Instruments | undefined
  const currentInstruments = (): Instruments => {
    const provider = meterProvider ?? metrics.getMeterProvider()
    if (provider === instrumentsOf && instruments !== undefined) return instruments
    const meter = provider.getMeter(SCOPE)
    instrumentsOf = provider
    return (instruments = {
      off: meter === createNoopMeter(),
      pending: meter.createUpDownCounter('finish_request.tasks.pending', {
        description: 'Tasks registered and not yet finished (waiting for delivery or running)',
        unit: '{task}',
      }),
      duration: meter.createHistogram('finish_request.task.duration', {
        description: 'How long tasks ran, from start to their report, by status',
        unit: 's',
        // The SDK's default buckets are made for milliseconds; tasks run from ms to an hour.
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      }),
      wait: meter.createHistogram('finish_request.task.wait', {
        description: 'How long tasks waited from registration (the response) to their start',
        unit: 's',
        advice: { explicitBucketBoundaries: WAIT_BUCKETS },
      }),
    })
  }

  // No SDK at all: a task costs the two look-ups below, and nothing is kept for it. (A
  // global provider from another copy of the API is not recognised as absent: then the
  // no-ops are simply called.)
  const tracingOff = (): boolean =>
    tracerProvider === undefined && (trace.getTracerProvider() as Partial<ProxyTracerProvider>).getDelegate?.() === NO_TRACER_PROVIDER

  return {
    task: (registration) => {
      const current = currentInstruments()
      return current.off && tracingOff() ? undefined : new TaskSpan(tracer, root, current, registration)
    },
    carrier: () => carrierOf(context.active()),
  }
}

/** One task's span and measurements, from its registration to its report. */
class TaskSpan implements TaskTelemetry {
  private readonly registeredAt = performance.now()
  /** The context active at registration (or the job's carried one): the span's parent. */
  private readonly parent: Context
  private readonly name: string
  private readonly job: TaskRegistration['job']
  private span: Span | undefined
  private waitMs = -1
  private progressEvents = 0

  constructor(
    private readonly tracer: Tracer,
    private readonly root: boolean,
    private readonly instruments: Instruments,
    registration: TaskRegistration,
  ) {
    this.name = registration.name
    this.job = registration.job
    this.parent = registration.trace === undefined ? context.active() : contextOf(registration.trace)
    instruments.pending.add(1, { [NAME]: this.name })
  }

  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
    const span = this.begin()
    const attributes = { [NAME]: this.name }
    this.instruments.wait.record(this.waitMs / 1000, attributes)
    return context.with(trace.setSpan(this.parent, span), fn, undefined, ...args)
  }

  progress(done: number, total?: number): void {
    const span = this.span
    if (span === undefined || !span.isRecording()) return
    const attributes: Attributes = total === undefined ? { [PROGRESS_DONE]: done } : { [PROGRESS_DONE]: done, [PROGRESS_TOTAL]: total }
    span.setAttributes(attributes)
    if (this.progressEvents++ < PROGRESS_EVENTS) span.addEvent('progress', attributes)
  }

  end(report: TaskReport): void {
    // A task abandoned before it started still gets its span: its work did not vanish.
    const span = this.span ?? this.begin()
    if (span.isRecording()) {
      span.setAttribute(STATUS, report.status)
      span.setAttribute(DELIVERY, report.delivery)
      if (report.status !== 'ok' && report.error !== undefined) {
        // Name, message and stack only: the SDK would take a DOMException's legacy numeric
        // `code` (23 for a TimeoutError) as its exception.type.
        const { name, message, stack } = report.error
        span.recordException({ name, message, stack })
        span.setStatus({ code: SpanStatusCode.ERROR, message: `${report.status}: ${report.error.message}` })
      }
    }
    span.end()
    this.instruments.pending.add(-1, { [NAME]: this.name })
    this.instruments.duration.record(report.durationMs / 1000, { [NAME]: this.name, [STATUS]: report.status })
  }

  private begin(): Span {
    this.waitMs = performance.now() - this.registeredAt
    const attributes: Attributes = { [NAME]: this.name, [WAIT_MS]: this.waitMs }
    const job = this.job
    if (job !== undefined) {
      attributes[JOB_ID] = job.id
      attributes[JOB_QUEUE] = job.queue
      attributes[JOB_ATTEMPT] = job.attempt
    }
    let links: Link[] | undefined
    if (this.root) {
      const parent = trace.getSpanContext(this.parent)
      if (parent !== undefined && isSpanContextValid(parent)) links = [{ context: parent }]
    }
    const span = this.tracer.startSpan(`task ${this.name}`, { kind: SpanKind.INTERNAL, attributes, root: this.root, links }, this.parent)
    this.span = span
    return span
  }
}

/**
 * The active trace context as W3C `traceparent`/`tracestate`, always (the job format
 * promises them, whichever propagator is registered), plus whatever the global
 * propagator writes (baggage, other formats).
 */
function carrierOf(active: Context): TraceCarrier | undefined {
  const carrier: TraceCarrier = {}
  propagation.inject(active, carrier)
  const span = trace.getSpanContext(active)
  if (span !== undefined && isSpanContextValid(span)) {
    carrier.traceparent = `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`
    const state = span.traceState?.serialize()
    if (state) carrier.tracestate = state
  }
  return Object.keys(carrier).length > 0 ? carrier : undefined
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/

/** The context a job carried: the global propagator's reading, with its W3C parent made sure of. */
function contextOf(carrier: TraceCarrier): Context {
  const extracted = propagation.extract(context.active(), carrier)
  const match = TRACEPARENT.exec(carrier.traceparent ?? '')
  // Version ff is invalid; a future version may add fields after ours (W3C trace context, 4.3).
  if (match === null || match[1] === 'ff' || (match[1] === '00' && match[5] !== undefined)) return extracted
  const parent: SpanContext = {
    traceId: match[2]!,
    spanId: match[3]!,
    traceFlags: parseInt(match[4]!, 16),
    isRemote: true,
  }
  if (!isSpanContextValid(parent)) return extracted
  if (carrier.tracestate) parent.traceState = createTraceState(carrier.tracestate)
  return trace.setSpanContext(extracted, parent)
}
