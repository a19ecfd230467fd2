// Every server the bench can start: what it is, how to start it as its own process,
// and whether it can run on this machine.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Command } from './lib/processes.ts'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

export type Runtime = 'node' | 'bun' | 'deno' | 'workerd'
/**
 * bare: the floor every ratio divides by. after: the library under test. control: the
 * bare server running the same work from setTimeout(0), no library (P1/P2).
 * reference: P4's pending promise alone.
 */
export type Role = 'bare' | 'naive' | 'peer' | 'after' | 'control' | 'reference'

export interface Target {
  id: string
  label: string
  runtime: Runtime
  role: Role
  /** `nodeFlags` go to the Node process that runs the server (P4 adds --expose-gc). */
  command(nodeFlags?: string[]): Command
  /** Why it cannot run here, if it cannot. */
  missing?: string
}

const server = (file: string) => `${ROOT}bench/servers/${file}`
const BUN = `${ROOT}node_modules/.bin/bun`
const DENO = `${ROOT}node_modules/.bin/deno`

function node(id: string, label: string, role: Role): Target {
  return {
    id,
    label,
    runtime: 'node',
    role,
    command: (nodeFlags = []) => ({
      command: process.execPath,
      args: [...nodeFlags, '--import', 'tsx', server(`${id}.ts`)],
      cwd: ROOT,
    }),
  }
}

/** The adapter another engineer writes may not exist yet: then its rows say "not measured". */
function adapterMissing(adapter: string, built: string, binary?: string): string | undefined {
  if (binary && !existsSync(binary)) return `${binary} is not installed`
  if (!existsSync(`${ROOT}adapters/${adapter}.ts`)) return `adapters/${adapter}.ts does not exist yet`
  if (!existsSync(`${ROOT}dist/${built}.js`)) return `dist/${built}.js is not built`
  return undefined
}

export const NODE_TARGETS: Target[] = [
  node('node-bare', 'bare @hono/node-server', 'bare'),
  node('node-timer', 'control: bare + setTimeout(task, 0)', 'control'),
  node('node-naive', 'naive (await, then answer)', 'naive'),
  node('node-srvx', 'srvx request.waitUntil', 'peer'),
  node('node-whatwg', '@whatwg-node/server ctx.waitUntil', 'peer'),
  node('node-after', 'finish-request serve()', 'after'),
]

/** P4's reference: the pending promise alone, tracked by nothing. */
export const NODE_PROMISE: Target = node('node-promise', 'pending promise alone', 'reference')

export function otherRuntimeTargets(): Target[] {
  return [
    {
      id: 'bun-bare',
      label: 'bare Bun.serve',
      runtime: 'bun',
      role: 'bare',
      command: () => ({ command: BUN, args: [server('bun-bare.ts')], cwd: ROOT }),
      missing: existsSync(BUN) ? undefined : `${BUN} is not installed`,
    },
    {
      id: 'bun-timer',
      label: 'control: bare + setTimeout(task, 0)',
      runtime: 'bun',
      role: 'control',
      command: () => ({ command: BUN, args: [server('bun-timer.ts')], cwd: ROOT }),
      missing: existsSync(BUN) ? undefined : `${BUN} is not installed`,
    },
    {
      id: 'bun-after',
      label: 'finish-request serve()',
      runtime: 'bun',
      role: 'after',
      command: () => ({ command: BUN, args: [server('bun-after.ts')], cwd: ROOT }),
      missing: adapterMissing('bun', 'bun', BUN),
    },
    {
      id: 'deno-bare',
      label: 'bare Deno.serve',
      runtime: 'deno',
      role: 'bare',
      command: () => ({ command: DENO, args: ['run', '-A', server('deno-bare.ts')], cwd: ROOT }),
      missing: existsSync(DENO) ? undefined : `${DENO} is not installed`,
    },
    {
      id: 'deno-timer',
      label: 'control: bare + setTimeout(task, 0)',
      runtime: 'deno',
      role: 'control',
      command: () => ({ command: DENO, args: ['run', '-A', server('deno-timer.ts')], cwd: ROOT }),
      missing: existsSync(DENO) ? undefined : `${DENO} is not installed`,
    },
    {
      id: 'deno-after',
      label: 'finish-request serve()',
      runtime: 'deno',
      role: 'after',
      command: () => ({ command: DENO, args: ['run', '-A', server('deno-after.ts')], cwd: ROOT }),
      missing: adapterMissing('deno', 'deno', DENO),
    },
    {
      id: 'workerd-bare',
      label: 'bare module worker',
      runtime: 'workerd',
      role: 'bare',
      command: () => ({ command: process.execPath, args: ['--import', 'tsx', server('workerd.ts'), 'bare'], cwd: ROOT }),
    },
    {
      id: 'workerd-timer',
      label: 'control: bare + setTimeout(task, 0)',
      runtime: 'workerd',
      role: 'control',
      command: () => ({ command: process.execPath, args: ['--import', 'tsx', server('workerd.ts'), 'timer'], cwd: ROOT }),
    },
    {
      id: 'workerd-after',
      label: 'finish-request worker()',
      runtime: 'workerd',
      role: 'after',
      command: () => ({ command: process.execPath, args: ['--import', 'tsx', server('workerd.ts'), 'after'], cwd: ROOT }),
      missing: adapterMissing('cloudflare', 'cloudflare'),
    },
  ]
}
