// `npm run bench` (about 10 minutes on 2 cores) and `npm run bench:quick` (a smoke run).
// Every server is its own process; within each round the servers take turns, starting
// with a different one each round; each figure is the median over rounds. Prints the
// table, and on a full run writes bench/RESULTS.md and bench/chart.svg.
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { renderChart } from './chart.ts'
import { FULL, QUICK, type Config } from './config.ts'
import { load, machine } from './machine.ts'
import { measureLatency, p50, p95, type LatencyPlan } from './measure/latency.ts'
import { measureMemory } from './measure/memory.ts'
import { measureShutdown } from './measure/shutdown.ts'
import { measureThroughput, throughputTool } from './measure/throughput.ts'
import { startServer, type Child } from './lib/processes.ts'
import { median, rotate } from './lib/stats.ts'
import { renderMarkdown, renderTable } from './report.ts'
import type { Results, ServerResult } from './results.ts'
import { NODE_PROMISE, NODE_TARGETS, ROOT, otherRuntimeTargets, type Target } from './targets.ts'

const config: Config = process.argv.includes('--quick') ? QUICK : FULL
// --only=node,p4,p5,bun,deno,workerd runs some phases (results then go to the temp dir).
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',')
const phase = (name: string) => !only || only.includes(name)
const partial = config.name === 'quick' || only !== undefined
const started = performance.now()
const loadBefore = load()
// Taken now: the commit measured is the one checked out when the run starts.
const where = machine()
const log = (message: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`)

// The bench must stop by itself, whatever hangs.
setTimeout(() => {
  console.error(`bench: gave up after ${config.deadlineMs / 60_000} minutes`)
  process.exit(2)
}, config.deadlineMs).unref()

const results = new Map<string, ServerResult>()
const resultOf = (target: Target): ServerResult => {
  let result = results.get(target.id)
  if (!result) {
    const { id, label, runtime, role, missing } = target
    result = { id, label, runtime, role, missing, errors: {}, failures: 0 }
    results.set(target.id, result)
  }
  return result
}
let hadErrors = false

/** Runs one measurement; a failure is recorded against the server and the bench goes on. */
async function attempt<T>(target: Target, figure: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work()
  } catch (error) {
    hadErrors = true
    const message = (error as Error).message.split('\n')[0]!
    resultOf(target).errors[figure] = message
    log(`  ${target.id} ${figure} failed: ${message}`)
    return undefined
  }
}

async function startAll(targets: Target[]): Promise<Map<Target, Child>> {
  const running = new Map<Target, Child>()
  // One at a time: parallel starts on 2 cores only make each slower and likelier to time out.
  for (const target of targets) {
    if (target.missing) {
      resultOf(target)
      log(`  ${target.id}: not measured (${target.missing})`)
      continue
    }
    const start = () => startServer(target.id, target.command())
    const child = await attempt(target, 'start', () =>
      // Once more after a pause: a concurrent `npm run build` empties dist/ for a moment.
      start().catch(async (error: Error) => {
        log(`  ${target.id} did not start (${error.message.split('\n')[0]}), retrying once`)
        await new Promise((resolve) => setTimeout(resolve, 3000))
        return start()
      }),
    )
    if (child) running.set(target, child)
  }
  return running
}

async function stopAll(running: Map<Target, Child>): Promise<void> {
  await Promise.all([...running.values()].map((child) => child.stop()))
}

const p1Plan = (target: Target): LatencyPlan => ({
  path: '/p1',
  warmup: target.role === 'naive' ? 0 : config.p1.warmup,
  count: target.role === 'naive' ? config.p1.naiveCount : config.p1.count,
  intervalMs: 0,
  timeoutMs: 10_000,
})
/** P1 and P2 over `rounds` rounds for the running servers of one runtime. */
async function latencyFigures(running: Map<Target, Child>, rounds: number, p2Count: number): Promise<void> {
  const p2Plan: LatencyPlan = { path: '/p2', ...config.p2, count: p2Count, timeoutMs: 10_000 }
  const targets = [...running.keys()]
  const p1: Map<Target, number[]> = new Map(targets.map((t) => [t, []]))
  const p2: Map<Target, { p50: number[]; p95: number[] }> = new Map(targets.map((t) => [t, { p50: [], p95: [] }]))
  for (let round = 0; round < rounds; round++) {
    log(`  P1 round ${round + 1}/${rounds}`)
    for (const target of rotate(targets, round)) {
      const run = await attempt(target, 'P1', () => measureLatency(running.get(target)!.url, p1Plan(target)))
      if (!run) continue
      resultOf(target).failures += run.failures
      p1.get(target)!.push(p50(run))
    }
  }
  for (let round = 0; round < rounds; round++) {
    log(`  P2 round ${round + 1}/${rounds}`)
    for (const target of rotate(targets, round)) {
      const run = await attempt(target, 'P2', () => measureLatency(running.get(target)!.url, p2Plan))
      if (!run) continue
      resultOf(target).failures += run.failures
      p2.get(target)!.p50.push(p50(run))
      p2.get(target)!.p95.push(p95(run))
    }
  }
  for (const target of targets) {
    const result = resultOf(target)
    if (p1.get(target)!.length) result.p1 = median(p1.get(target)!)
    if (p2.get(target)!.p50.length) {
      result.p2p50 = median(p2.get(target)!.p50)
      result.p2p95 = median(p2.get(target)!.p95)
    }
  }
}

async function throughputFigure(running: Map<Target, Child>): Promise<void> {
  const targets = [...running.keys()]
  const rps: Map<Target, number[]> = new Map(targets.map((t) => [t, []]))
  if (config.p3.warmupSeconds > 0) {
    log(`  P3 warm-up`)
    for (const target of targets) {
      await attempt(target, 'P3', () => measureThroughput(`${running.get(target)!.url}p3`, config.p3.warmupSeconds))
    }
  }
  for (let round = 0; round < config.p3.rounds; round++) {
    log(`  P3 round ${round + 1}/${config.p3.rounds} (${throughputTool()}, ${config.p3.seconds} s each)`)
    for (const target of rotate(targets, round)) {
      const run = await attempt(target, 'P3', () => measureThroughput(`${running.get(target)!.url}p3`, config.p3.seconds))
      if (!run) continue
      resultOf(target).failures += run.failures
      rps.get(target)!.push(run.rps)
    }
  }
  for (const target of targets) if (rps.get(target)!.length) resultOf(target).p3 = median(rps.get(target)!)
}

async function memoryFigure(): Promise<void> {
  const targets = [NODE_PROMISE, ...NODE_TARGETS.filter((t) => t.role === 'peer' || t.role === 'after')]
  for (const target of targets) {
    log(`  P4 ${target.id}: ${config.p4.tasks} pending tasks`)
    const run = await attempt(target, 'P4', () => measureMemory(target, config.p4.tasks))
    if (!run) continue
    const result = resultOf(target)
    result.failures += run.failures
    if (run.held !== config.p4.tasks) result.errors.P4 = `${run.held} of ${config.p4.tasks} tasks pending when measured`
    result.p4 = run.bytesPerTask
  }
}

async function shutdownFigure(): Promise<void> {
  const targets = NODE_TARGETS.filter((t) => t.role === 'peer' || t.role === 'after')
  const runs: Map<Target, { completed: number; exitMs: number | null; exit: string }[]> = new Map(
    targets.map((t) => [t, []]),
  )
  for (let round = 0; round < config.p5.rounds; round++) {
    log(`  P5 round ${round + 1}/${config.p5.rounds}: ${config.p5.tasks} tasks of 500 ms, then SIGTERM`)
    for (const target of rotate(targets, round)) {
      const run = await attempt(target, 'P5', () => measureShutdown(target, config.p5.tasks))
      if (!run) continue
      resultOf(target).failures += run.failures
      runs.get(target)!.push(run)
    }
  }
  for (const target of targets) {
    const list = runs.get(target)!
    if (!list.length) continue
    const exits = list.map((r) => r.exitMs)
    resultOf(target).p5 = {
      tasks: config.p5.tasks,
      completed: Math.min(...list.map((r) => r.completed)),
      // A run that had to be killed never exited: it counts as the worst.
      exitMs: exits.includes(null) ? null : median(exits as number[]),
      exit: list.find((r) => r.exitMs === null)?.exit ?? list[0]!.exit,
    }
  }
}

log(`finish-request bench, ${config.name} run`)
for (const target of [NODE_PROMISE, ...NODE_TARGETS]) resultOf(target)
if (phase('node')) {
  log('Node: P1, P2, P3')
  const nodeServers = await startAll(NODE_TARGETS)
  await latencyFigures(nodeServers, config.rounds, config.p2.count)
  // Naive and the control with a no-op task are the floor plus an await or a timer: not
  // worth P3's time.
  for (const target of NODE_TARGETS) if (target.role === 'naive' || target.role === 'control') nodeServers.delete(target)
  await throughputFigure(nodeServers)
  await stopAll(nodeServers)
}
if (phase('p4')) {
  log('Node: P4 (heap per pending task)')
  await memoryFigure()
}
if (phase('p5')) {
  log('Node: P5 (SIGTERM with pending tasks)')
  await shutdownFigure()
}
for (const runtime of ['bun', 'deno', 'workerd'] as const) {
  if (!phase(runtime)) continue
  log(`${runtime}: P1, P2`)
  const running = await startAll(otherRuntimeTargets().filter((t) => t.runtime === runtime))
  await latencyFigures(running, config.otherRounds, config.otherP2Count)
  await stopAll(running)
}

const output: Results = {
  config,
  meta: {
    ...where,
    load: `${loadBefore} before, ${load()} after`,
    throughputTool: throughputTool(),
    durationSeconds: (performance.now() - started) / 1000,
  },
  servers: [...results.values()],
}
console.log('\n' + renderTable(output))
// A quick or partial run must not overwrite the committed full results; it still
// exercises the writers.
const [markdown, chart] = partial
  ? [join(tmpdir(), 'finish-request-bench-RESULTS.md'), join(tmpdir(), 'finish-request-bench-chart.svg')]
  : [join(ROOT, 'bench', 'RESULTS.md'), join(ROOT, 'bench', 'chart.svg')]
writeFileSync(markdown, renderMarkdown(output))
writeFileSync(chart, renderChart(output))
log(`wrote ${markdown} and ${chart}`)
process.exit(hadErrors ? 1 : 0)
