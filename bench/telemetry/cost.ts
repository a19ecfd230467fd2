// What telemetry costs per task, in one process, the three ways a server can run:
//   none      no `telemetry` option (every server before it; the core pays one undefined check)
//   no-sdk    `telemetry: otel()` with no SDK registered: the API's no-ops
//   sdk       `telemetry: otel()` with the SDK: a span per task into the in-memory exporter
//             (SimpleSpanProcessor), the three metrics into a MeterProvider with a reader
// For each: time per task (registered, started, ended with its span and metrics: a no-op
// task, `tasks` per round, rounds taking turns) and heap bytes per pending task (tasks
// that never settle, heap after forced GCs, after minus before, ÷ count). Ratios to
// `none` are the figures; the absolute values move with the machine's other load.
//
//   node --expose-gc --import tsx bench/telemetry/cost.ts [tasks=100000] [rounds=7]
// Each measurement is a fresh process running one variant; rounds take turns.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { context } from '@opentelemetry/api'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { after, type Telemetry } from 'finish-request'
import { otel } from 'finish-request/otel'
import { createExecutionContext, waitOnExecutionContext } from 'finish-request/testing'
import { median } from '../lib/stats.ts'

const [tasks = 100_000, rounds = 7] = process.argv.slice(2).map(Number)
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')

class Reader extends MetricReader {
  protected onForceFlush = () => Promise.resolve()
  protected onShutdown = () => Promise.resolve()
}
const spans = new InMemorySpanExporter()
const reader = new Reader()
const contextManager = new AsyncLocalStorageContextManager()

const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] })
const meterProvider = new MeterProvider({ readers: [reader] })
const once = <T>(make: () => T) => {
  let made: T | undefined
  return () => (made ??= make())
}

interface Variant {
  name: string
  telemetry: () => Telemetry | undefined
  /** The SDK's context manager is global: on only for the variant that has the SDK. */
  sdk: boolean
}
const variants: Variant[] = [
  { name: 'none', telemetry: () => undefined, sdk: false },
  { name: 'no-sdk', telemetry: once(() => otel()), sdk: false },
  { name: 'sdk', telemetry: once(() => otel({ tracerProvider, meterProvider })), sdk: true },
]

function use(variant: Variant): Telemetry | undefined {
  context.disable()
  if (variant.sdk) context.setGlobalContextManager(contextManager.enable())
  return variant.telemetry()
}

const noop = () => {}

async function timePerTask(variant: Variant, count = tasks): Promise<number> {
  const telemetry = use(variant)
  const ctx = createExecutionContext({ telemetry })
  gc!()
  const start = performance.now()
  for (let i = 0; i < count; i++) after(ctx, noop)
  await waitOnExecutionContext(ctx)
  const elapsed = performance.now() - start
  spans.reset()
  return (elapsed * 1000) / count
}

async function bytesPerPendingTask(variant: Variant): Promise<number> {
  const telemetry = use(variant)
  const never = () => new Promise(() => {})
  const ctx = createExecutionContext({ telemetry })
  // Started once, so each holds what a running task holds (its span, its context).
  after(ctx, noop)
  await new Promise((resolve) => setTimeout(resolve, 5))
  gc!()
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < tasks; i++) after(ctx, never)
  await new Promise((resolve) => setTimeout(resolve, 20))
  gc!()
  const bytes = (process.memoryUsage().heapUsed - before) / tasks
  // Keep ctx alive until measured.
  return ctx ? bytes : NaN
}

const only = process.env.TELEMETRY_VARIANT
if (only !== undefined) {
  // One variant in a fresh process: nothing another variant left (the SDK's exports
  // settling, code it deoptimised, a context manager) is charged to it.
  const variant = variants.find((v) => v.name === only)!
  await timePerTask(variant, tasks / 4)
  const time = await timePerTask(variant)
  const held = await bytesPerPendingTask(variant)
  console.log(JSON.stringify({ time, held }))
} else {
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]))
  const bytes = new Map<string, number[]>(variants.map((v) => [v.name, []]))
  for (let round = 0; round < rounds; round++) {
    // Each round starts with a different variant.
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length]!
      const output = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), String(tasks)], {
        env: { ...process.env, TELEMETRY_VARIANT: variant.name },
        encoding: 'utf8',
      })
      const { time, held } = JSON.parse(output.trim().split('\n').pop()!)
      times.get(variant.name)!.push(time)
      bytes.get(variant.name)!.push(held)
    }
  }
  const base = { time: median(times.get('none')!), bytes: median(bytes.get('none')!) }
  console.log(`Node ${process.versions.node}, ${tasks} tasks, ${rounds} processes per variant (medians; a shared machine: ratios, not absolutes)`)
  console.log('variant   µs/task  ×none   B/pending task  +B vs none')
  for (const { name } of variants) {
    const time = median(times.get(name)!)
    const held = median(bytes.get(name)!)
    console.log(
      `${name.padEnd(8)}  ${time.toFixed(2).padStart(7)}  ${(time / base.time).toFixed(2).padStart(5)}   ${held.toFixed(0).padStart(14)}  ${(held - base.bytes).toFixed(0).padStart(10)}`,
    )
  }
}
