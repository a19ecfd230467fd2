// Listening as a newcomer meets it, on every runtime with a process: a port that is
// taken is loud whether or not ready() is awaited, and PORT is honoured.
import { spawnSync } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runtimes } from './runtimes.ts'
import { freePort } from '../helpers/free-port.ts'

const script = fileURLToPath(new URL('./entries/listen.ts', import.meta.url))

let busy: Server
let busyPort: number
beforeAll(async () => {
  // Taken on every interface, as another program (or a second copy of the app) would.
  busy = createServer()
  await new Promise<void>((resolve) => busy.listen(0, resolve))
  busyPort = (busy.address() as { port: number }).port
})
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())))

for (const runtime of runtimes) {
  const command = runtime.command
  if (!command || runtime.unavailable) continue

  describe(runtime.name, () => {
    const run = (env: Record<string, string>) => {
      const [executable, args] = command(script)
      const result = spawnSync(executable, args, {
        env: { ...process.env, NO_COLOR: '1', PORT: '', ...env },
        encoding: 'utf8',
        timeout: 20_000,
      })
      const lines = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)
      return { code: result.status, lines, stderr: result.stderr }
    }

    it('a busy port without ready(): prints the error with the address, and exits 1', () => {
      const { code, lines, stderr } = run({ MODE: 'unawaited', BUSY_PORT: String(busyPort) })
      expect(lines).toEqual([])
      expect(code).toBe(1)
      expect(stderr).toContain(`[finish-request] serve(app, options): cannot listen on http://localhost:${busyPort}/: `)
    }, 30_000)

    it('a busy port with ready(): ready() rejects with the address and the runtime\'s code, and nothing exits', () => {
      const { code, lines } = run({ MODE: 'awaited', BUSY_PORT: String(busyPort) })
      expect(code).toBe(0)
      expect(lines).toEqual([{ message: expect.stringContaining(`cannot listen on http://localhost:${busyPort}/: `), code: 'EADDRINUSE' }])
    }, 30_000)

    it('a second serve() on the port of the first is loud', () => {
      const { code, lines, stderr } = run({ MODE: 'twice' })
      expect(lines).toEqual([{ first: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/) }])
      expect(code).toBe(1)
      expect(stderr).toContain(`cannot listen on ${lines[0].first}`)
    }, 30_000)

    it('without options.port it listens on PORT', async () => {
      const free = await freePort()
      const { code, lines, stderr } = run({ MODE: 'env-port', PORT: String(free) })
      expect(stderr).toBe('')
      expect(lines).toEqual([{ url: `http://127.0.0.1:${free}/`, text: 'ok' }])
      expect(code).toBe(0)
    }, 30_000)
  })
}
