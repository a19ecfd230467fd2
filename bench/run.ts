// `npm run bench` (about 20 minutes on 2 cores) and `npm run bench:quick` (a smoke run).
// Every server is its own process, pinned to CPU 0; the bench and its clients run on
// CPU 1 (the capacity table's worker processes and store excepted: they share every
// CPU). Within each round the servers take turns, starting with a different one each
// round; every figure keeps one value per round, and RESULTS.md shows the median with
// the min–max over rounds. On a full run writes bench/RESULTS.md and bench/chart.svg.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { renderChart } from './chart.ts'
import { FULL, QUICK, type Config, type GroupPlan } from './config.ts'
import { pinClient } from './lib/cpu.ts'
import { startServer, type Child } from './lib/processes.ts'
import { rotate, scaledToReference } from './lib/stats.ts'
import { load, machine } from './machine.ts'
import { measureAlternating, measureLatency, p50, p95, type LatencyPlan } from './measure/latency.ts'
import { measureMemory } from './measure/memory.ts'
import { measureShutdown } from './measure/shutdown.ts'
import { measureThroughput, throughputTool } from './measure/throughput.ts'
import { measureCapacity } from './measure/capacity.ts'
import { measureDurable } from './measure/durable.ts'
import { measureInspector } from './measure/inspector.ts'
import { renderMarkdown, renderTable } from './report.ts'
import { Recorder, type Figure, type Results } from './results.ts'
import { fireAndForget, LIBRARY_ROLES, nodeTargets, ROOT, runtimeReference, runtimeTargets, type Group, type Role, type Target } from './targets.ts'

const config: Config = process.argv.includes('--quick') ? QUICK : FULL
// --only=node24,node26,node22,node20,bun,deno,workerd,p7,p8,capacity runs some phases (results then go to the temp dir).
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',')
const phase = (name: string) => !only || only.includes(name)
const partial = config.name === 'quick' || only !== undefined
const started = performance.now()
const loadBefore = load()
// Taken now: the commit measured is the one checked out when the run starts.
const where = machine()
const pinning = pinClient()
const log = (message: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`)

// Past the budget, no new round or phase starts: what was measured is written, the rest
// is reported as not measured. The watchdog behind it stops the bench whatever hangs.
const BUDGET_SPENT = 'the run’s time budget was spent first'
const outOfTime = () => performance.now() - started > config.budgetMs
const skipped: string[] = []
function skip(what: string): true {
  skipped.push(what)
  log(`  skipped, the ${config.budgetMs / 60_000}-minute budget is spent: ${what}`)
  return true
}
setTimeout(() => {
  console.error(`bench: gave up after ${config.deadlineMs / 60_000} minutes`)
  process.exit(2)
}, config.deadlineMs).unref()

const rec = new Recorder()
let hadErrors = false

/** Runs one measurement; a failure is recorded against the series and the bench goes on. */
async function attempt<T>(figure: Figure, target: Target, round: number, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work()
  } catch (error) {
    hadErrors = true
    const message = (error as Error).message.split('\n')[0]!
    rec.fail(figure, target, round, message)
    log(`  ${target.id} ${figure} failed: ${message}`)
    return undefined
  }
}

/** The targets of `roles` that can run; the others are recorded as not measured in `figures`. */
function runnable(targets: Target[], roles: Role[], figures: Figure[]): Target[] {
  const chosen = targets.filter((t) => roles.includes(t.role))
  for (const target of chosen.filter((t) => t.missing)) for (const figure of figures) rec.missing(figure, target, target.missing!)
  return chosen.filter((t) => !t.missing)
}

async function startAll(targets: Target[]): Promise<Map<Target, Child>> {
  const running = new Map<Target, Child>()
  // One at a time: parallel starts on 2 cores only make each slower and likelier to time out.
  for (const target of targets) {
    const start = () => startServer(target.id, target.command())
    try {
      running.set(
        target,
        // Once more after a pause: a concurrent `npm run build` empties dist/ for a moment.
        await start().catch(async (error: Error) => {
          log(`  ${target.id} did not start (${error.message.split('\n')[0]}), retrying once`)
          await new Promise((resolve) => setTimeout(resolve, 3000))
          return start()
        }),
      )
    } catch (error) {
      hadErrors = true
      const message = `did not start: ${(error as Error).message.split('\n')[0]}`
      for (const figure of ['P1', 'P1w', 'P2p50', 'P2p95', 'P3'] as Figure[]) rec.fail(figure, target, 0, message)
      log(`  ${target.id} ${message}`)
    }
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

/** P1 (back to back), P1w (servers taking turns) and P2 of one group's running servers. */
async function latencyFigures(group: Group, running: Map<Target, Child>, plan: GroupPlan): Promise<void> {
  // The "Hono app on the peer" rows and the middleware's control are P3's: not timed here.
  const all = [...running.keys()].filter((t) => t.role !== 'peer-hono' && t.role !== 'control-mw')
  // P1w: the floor, the control the goal divides by, the defaults and the secondary row.
  const alternating = all.filter((t) => ['bare', 'control', 'after', 'after-ctx', 'after-hono', 'after-noals'].includes(t.role))
  const p2Targets = all.filter((t) => ['bare', 'control', 'peer', 'after'].includes(t.role))
  const p2Plan: LatencyPlan = { path: '/p2', ...config.p2, count: plan.p2Count, timeoutMs: 10_000 }
  for (let round = 0; round < plan.rounds; round++) {
    if (outOfTime() && skip(`${group} P1/P1w rounds ${round + 1}-${plan.rounds}`)) break
    log(`  ${group} P1 round ${round + 1}/${plan.rounds}`)
    for (const target of rotate(all, round)) {
      const run = await attempt('P1', target, round, () => measureLatency(running.get(target)!.url, p1Plan(target)))
      if (run) rec.record('P1', target, round, p50(run), run.failures)
    }
    const order = rotate(alternating, round)
    const runs = await attempt('P1w', order[0]!, round, () =>
      measureAlternating(
        order.map((t) => ({ url: running.get(t)!.url, path: '/p1' })),
        { ...config.p1w, intervalMs: 0, timeoutMs: 10_000 },
      ),
    )
    if (runs) order.forEach((target, i) => rec.record('P1w', target, round, p50(runs[i]!), runs[i]!.failures))
  }
  for (let round = 0; round < plan.rounds; round++) {
    if (outOfTime() && skip(`${group} P2 rounds ${round + 1}-${plan.rounds}`)) break
    log(`  ${group} P2 round ${round + 1}/${plan.rounds}`)
    for (const target of rotate(p2Targets, round)) {
      const run = await attempt('P2p50', target, round, () => measureLatency(running.get(target)!.url, p2Plan))
      if (!run) continue
      rec.record('P2p50', target, round, p50(run), run.failures)
      rec.record('P2p95', target, round, p95(run))
    }
  }
}

/**
 * P3: each server loaded at the same time as the bare one, the two sharing the servers'
 * core (one wrk each, on the client's core). The machine's speed at that moment is the
 * same for both, so the ratio of their rates is the ratio of their costs per request,
 * however the machine's speed drifts between slices (by ±15 % between back-to-back
 * slices here, which made P3 by turns unreadable). A second bare server, the twin, is
 * paired like the others: its ratio is what the method itself cannot tell apart.
 *
 * A server's recorded rate is its rate scaled by the bare server's median rate of the
 * round over its pair's bare rate, so that the per-round ratio to the bare row is the
 * pair's own ratio, and ratios between two servers (to a peer) are ratios of ratios.
 */
async function throughputFigure(group: Group, running: Map<Target, Child>, rounds: number): Promise<void> {
  const targets = [...running.keys()].filter((t) => ['peer', 'peer-hono', 'control-als', 'control-mw', ...LIBRARY_ROLES].includes(t.role))
  const bare = [...running.keys()].find((t) => t.role === 'bare')
  if (!bare) return
  const twin: Target = { ...bare, id: `${bare.id}-twin`, label: `${bare.label}, a second instance (the method's noise)`, role: 'bare-twin' }
  const loaded = new Map(targets.map((t) => [t, running.get(t)!]))
  for (const [target, child] of await startAll([twin])) loaded.set(target, child)
  const url = (child: Child) => `${child.url}p3`
  const pair = (target: Target, round: number, seconds: number) =>
    attempt('P3', target, round, () =>
      Promise.all([measureThroughput(url(running.get(bare)!), seconds), measureThroughput(url(loaded.get(target)!), seconds)]),
    )
  if (config.p3.warmupSeconds > 0) {
    log(`  ${group} P3 warm-up`)
    for (const target of loaded.keys()) await pair(target, 0, config.p3.warmupSeconds)
  }
  for (let round = 0; round < rounds; round++) {
    if (outOfTime() && skip(`${group} P3 rounds ${round + 1}-${rounds}`)) break
    log(`  ${group} P3 round ${round + 1}/${rounds} (${throughputTool()}, each server beside bare, ${config.p3.seconds} s)`)
    const pairs: Array<{ target: Target; reference: number; rps: number; failures: number }> = []
    for (const target of rotate([...loaded.keys()], round)) {
      const runs = await pair(target, round, config.p3.seconds)
      if (runs) pairs.push({ target, reference: runs[0].rps, rps: runs[1].rps, failures: runs[0].failures + runs[1].failures })
    }
    if (pairs.length === 0) continue
    const { reference, scaled } = scaledToReference(pairs)
    rec.record('P3', bare, round, reference, 0)
    pairs.forEach((p, i) => rec.record('P3', p.target, round, scaled[i]!, p.failures))
  }
  for (const [target, child] of loaded) if (!running.has(target)) await child.stop()
}

async function memoryFigure(group: Group, targets: Target[], rounds: number): Promise<void> {
  const tasks = config.p4.tasks[group]
  for (let round = 0; round < rounds; round++) {
    if (outOfTime() && skip(`${group} P4 rounds ${round + 1}-${rounds}`)) break
    // Later rounds re-measure finish-request and its floor only: the peers' bytes do not drift.
    const these = round === 0 ? targets : targets.filter((t) => ['reference', 'after', 'after-noals'].includes(t.role))
    for (const target of rotate(these, round)) {
      log(`  ${group} P4 ${target.id}: ${tasks.toLocaleString('en-US')} pending tasks (round ${round + 1}/${rounds})`)
      const run = await attempt('P4', target, round, () => measureMemory(target, tasks))
      if (!run) continue
      rec.record('P4', target, round, run.bytesPerTask, run.failures)
      if (run.held !== tasks) rec.fail('P4', target, round, `${run.held} of ${tasks} tasks pending when measured`)
    }
  }
}

async function shutdownFigure(targets: Target[]): Promise<void> {
  for (let round = 0; round < config.p5.rounds; round++) {
    if (outOfTime() && skip(`P5 rounds ${round + 1}-${config.p5.rounds}`)) break
    log(`  P5 round ${round + 1}/${config.p5.rounds}: ${config.p5.tasks} tasks of 500 ms, then SIGTERM`)
    for (const target of rotate(targets, round)) {
      const run = await attempt('P5', target, round, () => measureShutdown(target, config.p5.tasks))
      if (!run) continue
      rec.record('P5', target, round, run.exitMs ?? NaN, run.failures)
      const series = rec.of('P5', target)
      ;(series.shutdowns ??= []).push({ completed: run.completed, tasks: config.p5.tasks, exitMs: run.exitMs, exit: run.exit })
    }
  }
}

/** Everything one runtime (or Node version) is measured on, its servers started once. */
async function measureGroup(group: Group, targets: Target[], reference?: Target): Promise<void> {
  const plan = config.groups[group]
  if (plan.rounds === 0) return log(`${group}: not in a ${config.name} run`)
  if (outOfTime()) {
    skip(`${group}, every figure`)
    const figures: Figure[] = ['P1', 'P1w', 'P2p50', 'P2p95', ...(plan.p3Rounds ? (['P3'] as const) : []), ...(plan.p4Rounds ? (['P4'] as const) : [])]
    for (const target of [...targets, ...(reference ? [reference] : [])]) {
      for (const figure of figures) if (target.role !== 'reference' || figure === 'P4') rec.missing(figure, target, BUDGET_SPENT)
    }
    return
  }
  log(`${group}: P1, P1w, P2${plan.p3Rounds ? ', P3' : ''}${plan.p4Rounds ? ', P4' : ''}`)
  const served = runnable(targets, ['bare', 'control', 'control-als', 'control-mw', 'naive', 'peer', 'peer-hono', ...LIBRARY_ROLES], ['P1', 'P1w', 'P2p50', 'P2p95', 'P3'])
  const running = await startAll(served)
  await latencyFigures(group, running, plan)
  if (plan.p3Rounds > 0) await throughputFigure(group, running, plan.p3Rounds)
  await stopAll(running)
  if (plan.p4Rounds > 0 && reference) {
    const heapTargets = runnable([reference, ...targets], ['reference', 'peer', ...LIBRARY_ROLES], ['P4'])
    await memoryFigure(group, heapTargets, plan.p4Rounds)
  }
}

log(`finish-request bench, ${config.name} run; ${pinning}; P3 by ${throughputTool()}`)
if (config.name === 'full' && ['node22', 'node24', 'node26'].some(phase)) {
  // Node 22, 24 and 26 come from npm into .runtimes/ (idempotent; the conformance suite uses them too).
  execFileSync('bash', [`${ROOT}scripts/install-runtimes.sh`], { stdio: 'inherit' })
}
// What production runs first (issue 22): Node 24 (LTS), 26 (current), then 22 and 20.
for (const group of ['node24', 'node26', 'node22', 'node20'] as const) {
  if (!phase(group)) continue
  await measureGroup(group, nodeTargets(group), fireAndForget(group))
  if (group === 'node20') {
    log('node20: P5 (SIGTERM with pending tasks)')
    await shutdownFigure(runnable(nodeTargets(group), ['peer', 'after'], ['P5']))
  }
}
if (phase('p7')) {
  log('P7: durable tasks against BullMQ by hand')
  await measureDurable(config, rec, log, outOfTime() && skip('P7') ? BUDGET_SPENT : undefined)
}
if (phase('p8')) {
  log('P8: P3 with inspector pages open')
  await measureInspector(config, rec, log, outOfTime() && skip('P8') ? BUDGET_SPENT : undefined)
}

for (const group of ['workerd', 'bun', 'deno'] as const) {
  if (!phase(group)) continue
  await measureGroup(group, runtimeTargets(group), group === 'workerd' ? undefined : runtimeReference(group))
}
// Last: its worker processes use every CPU, and a run cut short by the budget keeps the rest.
if (phase('capacity')) {
  log('P7c: capacity, jobs/s through N worker processes on Redis and PostgreSQL')
  await measureCapacity(config, rec, log, outOfTime() && skip('P7c') ? BUDGET_SPENT : undefined, () => outOfTime() && skip('the rest of P7c'))
}
const output: Results = {
  config,
  meta: {
    ...where,
    load: `${loadBefore} before, ${load()} after`,
    pinning,
    throughputTool: throughputTool(),
    durationSeconds: (performance.now() - started) / 1000,
    skipped,
  },
  series: rec.series,
}
console.log('\n' + renderTable(output))
// A quick or partial run must not overwrite the committed full results; it still
// exercises the writers.
const [markdown, chart, json] = partial
  ? ['RESULTS.md', 'chart.svg', 'results.json'].map((f) => join(tmpdir(), `finish-request-bench-${f}`))
  : ['RESULTS.md', 'chart.svg', 'results.json'].map((f) => join(ROOT, 'bench', f))
writeFileSync(markdown!, renderMarkdown(output))
writeFileSync(chart!, renderChart(output))
// Every round's value, for comparing two runs (bench/compare.ts).
writeFileSync(json!, JSON.stringify(output, null, 1) + '\n')
log(`wrote ${markdown}, ${chart} and ${json}`)
process.exit(hadErrors ? 1 : 0)
