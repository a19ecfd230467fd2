// A user's project: the tarball `npm pack` makes, installed into a fresh folder beside the
// user's own dependencies (linked from this repository's node_modules, so no registry is
// needed), and the two TypeScript compilers a user may have.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('../../', import.meta.url))

export interface Consumer {
  dir: string
  /** What `npm pack` put in the tarball. */
  files: string[]
  version: string
  filename: string
}

/**
 * The user's dependencies, as `npm install finish-request hono bullmq ioredis
 * @opentelemetry/api` (express, fastify) and `-D typescript @types/node` give them.
 */
const LINKED = ['hono', '@hono/node-server', '@types', 'bullmq', 'ioredis', 'express', 'fastify', '@opentelemetry/api']

export function makeConsumer(prefix = 'finish-request-consumer-'): Consumer {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }),
  )
  const installed = join(dir, 'node_modules/finish-request')
  mkdirSync(installed, { recursive: true })
  execFileSync('tar', ['-xzf', join(dir, packed.filename), '-C', installed, '--strip-components=1'])
  mkdirSync(join(dir, 'node_modules/@hono'), { recursive: true })
  mkdirSync(join(dir, 'node_modules/@opentelemetry'), { recursive: true })
  for (const name of LINKED) symlinkSync(join(root, 'node_modules', name), join(dir, 'node_modules', name))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', dependencies: { 'finish-request': '*' } }))
  return { dir, files: packed.files.map((f: { path: string }) => f.path), version: packed.version, filename: packed.filename }
}

/**
 * The compilers: the 5.9 of devDependencies, and TypeScript 7 (what `npm install -D
 * typescript` gives today), which scripts/install-runtimes.sh puts in .runtimes/.
 */
export const compilers = [
  { name: 'TypeScript 5.9', tsc: join(root, 'node_modules/typescript/bin/tsc') },
  { name: 'TypeScript 7', tsc: join(root, '.runtimes/typescript7/node_modules/typescript/bin/tsc') },
]

for (const { name, tsc } of compilers) {
  if (!existsSync(tsc)) throw new Error(`${name} is missing at ${tsc}: run scripts/install-runtimes.sh`)
}

/**
 * The tsconfig.json the README recommends, as a user would write it: `types: ["node"]`
 * because TypeScript 7 no longer loads every @types package by itself (and
 * @hono/node-server's types need Node's), `allowImportingTsExtensions` so that
 * `import './jobs.ts'` works as it does under tsx and Node's own type stripping.
 */
export const RECOMMENDED_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    types: ['node'],
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
  },
}

/** Runs `tsc -p dir`; resolves to its findings ('' when none). */
export function typeCheck(tsc: string, dir: string): string {
  try {
    execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', cwd: dir })
    return ''
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string }
    return `${stdout ?? ''}${stderr ?? ''}` || message
  }
}
