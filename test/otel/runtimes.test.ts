// otel() on Bun, Deno and workerd: each runtime serves the traced app in a process of its
// own and prints the spans it ends; the trace's shape must be the one Node makes.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { Served, spawnServer } from '../conformance/harness.ts'
import { serveWorker } from '../workerd-bundle.ts'
import { expectFailedTask, expectSeedTrace, taskSpans, until } from './checks.ts'
import type { SpanJson } from './sdk.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = (name: string) => `${root}node_modules/.bin/${name}`
const entry = (name: string) => fileURLToPath(new URL(`./entries/${name}`, import.meta.url))

const startWorkerd = (): Promise<Served> => serveWorker(entry('worker.ts'), ['nodejs_als'])

const runtimes: Array<{ name: string; start: () => Promise<Served>; missing?: string; delivery: string }> = [
  { name: 'bun', delivery: 'returned', missing: existsSync(bin('bun')) ? undefined : 'bun', start: () => spawnServer('bun', bin('bun'), [entry('server.ts')], {}) },
  {
    name: 'deno',
    delivery: 'confirmed',
    missing: existsSync(bin('deno')) ? undefined : 'deno',
    start: () => spawnServer('deno', bin('deno'), ['run', '--allow-all', '--quiet', entry('server.ts')], {}),
  },
  { name: 'workerd', delivery: 'returned', start: startWorkerd },
].filter((r) => !process.env.RUNTIMES || process.env.RUNTIMES.split(',').includes(r.name))

const started: Served[] = []
afterAll(() => Promise.all(started.map((s) => s.stop())))

for (const runtime of runtimes) {
  describe(`otel() on ${runtime.name}`, () => {
    it('puts each task under its own request span (50 concurrent requests), and records failures as ERROR', async () => {
      // A missing runtime fails here rather than being skipped: scripts/install-runtimes.sh installs them.
      expect(runtime.missing, `${runtime.missing} is not installed`).toBeUndefined()
      const served = await runtime.start()
      started.push(served)
      const spans = () => served.events.filter((e) => e.type === 'span').map((e) => e.span as SpanJson)
      const get = (path: string) => fetch(new URL(path, served.url)).then((r) => r.text())
      const ids = Array.from({ length: 50 }, (_, i) => `r${i}`)
      await Promise.all([...ids.map((id) => get(`/seed?id=${id}`)), get('/fail?id=f'), get('/slow?id=s')])
      const all = await until(
        spans,
        (s) => s.filter((x) => x.name === 'zip part').length === 150 && taskSpans(s, 'f').length === 1 && taskSpans(s, 's').length === 1,
      )
      for (const id of ids) expectSeedTrace(all, id, runtime.delivery)
      expectFailedTask(all, '/fail', 'f', 'failing', 'error', /^boom f$/)
      expectFailedTask(all, '/slow', 's', 'slow', 'timeout', /timed out after 30 ms/)
    }, 60_000)
  })
}
