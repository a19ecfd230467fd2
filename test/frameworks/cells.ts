// The table: every (runtime × server style × framework) cell, and how to start it as a
// real process that prints a `listening` line and its ledger (test/conformance/harness.ts).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { spawnServer, type Served } from '../conformance/harness.ts'
import { freePort } from '../helpers/free-port.ts'

const entry = (name: string) => fileURLToPath(new URL(`./entries/${name}`, import.meta.url))
// Every process refuses to load Hono (on Node, except for @hono/node-server, whose
// required peer it is): a cell that needs it fails to start.
const noHono = (name: string) => fileURLToPath(new URL(`./no-hono/${name}`, import.meta.url))
const nodeArgs = ['--import', noHono('node.mjs'), '--import', 'tsx']
const bunArgs = ['--preload', noHono('bun.ts')]
const denoArgs = ['-A', '--quiet', '--import-map', noHono('deno-import-map.json')]
const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = (name: string) => `${root}node_modules/.bin/${name}`

export interface Cell {
  runtime: 'node' | 'bun' | 'deno'
  /** `serve()` is ours; every other style is the user's own server around `handle()`. */
  style: string
  framework: 'h3' | 'itty' | 'bare' | 'elysia'
  start(): Promise<Served>
}


type Launch = (framework: string) => Promise<Served>

const env = (framework: string, style: string) => ({ FRAMEWORK: framework, STYLE: style })

const launchers: Record<Cell['runtime'], Record<string, Launch>> = {
  node: Object.fromEntries(
    ['serve', '@hono/node-server', 'http.createServer', 'express'].map((style) => [
      style,
      (framework: string) => spawnServer(`node ${style} ${framework}`, process.execPath, [...nodeArgs, entry('node.ts')], env(framework, style)),
    ]),
  ),
  bun: {
    serve: (framework) => spawnServer(`bun serve ${framework}`, bin('bun'), [...bunArgs, entry('bun.ts')], env(framework, 'serve')),
    'Bun.serve': (framework) => spawnServer(`Bun.serve ${framework}`, bin('bun'), [...bunArgs, entry('bun.ts')], env(framework, 'Bun.serve')),
    'export default': async (framework) => {
      const port = await freePort()
      return spawnServer(`bun export default ${framework}`, bin('bun'), [...bunArgs, entry('default-export.ts')], { FRAMEWORK: framework, PORT: String(port) })
    },
  },
  deno: {
    serve: (framework) => spawnServer(`deno serve() ${framework}`, bin('deno'), ['run', ...denoArgs, entry('deno.ts')], env(framework, 'serve')),
    'Deno.serve': (framework) =>
      spawnServer(`Deno.serve ${framework}`, bin('deno'), ['run', ...denoArgs, entry('deno.ts')], env(framework, 'Deno.serve')),
    'deno serve': async (framework) => {
      const port = await freePort()
      const args = ['serve', ...denoArgs, '--host', '127.0.0.1', '--port', String(port), entry('default-export.ts')]
      return spawnServer(`deno serve ${framework}`, bin('deno'), args, { FRAMEWORK: framework, PORT: String(port) })
    },
  },
}

const frameworks: Record<Cell['runtime'], Cell['framework'][]> = {
  node: ['h3', 'itty', 'bare'],
  bun: ['h3', 'itty', 'bare', 'elysia'],
  deno: ['h3', 'itty', 'bare'],
}

export const unavailable: Partial<Record<Cell['runtime'], string>> = {
  bun: existsSync(bin('bun')) ? undefined : 'the bun package is not installed',
  deno: existsSync(bin('deno')) ? undefined : 'the deno package is not installed',
}

export function cellsOf(runtime: Cell['runtime']): Cell[] {
  return Object.entries(launchers[runtime]).flatMap(([style, launch]) =>
    frameworks[runtime].map((framework) => ({ runtime, style, framework, start: () => launch(framework) })),
  )
}
