// P8: P3 on a server with the inspector mounted, while 0, 1 or 20 inspector pages are
// open in Chromium (playwright-core, the system's /usr/bin/chromium), each receiving the
// event stream of a flood of tasks: every P3 request registers one, a slice is at least
// `config.p8.flood` of them. Also the server's resident memory after each slice. The
// browser runs on the client's CPU, like wrk.
import { existsSync, readFileSync } from 'node:fs'
import type { Config } from '../config.ts'
import { startServer } from '../lib/processes.ts'
import { rotate } from '../lib/stats.ts'
import type { Recorder, SeriesRole } from '../results.ts'
import { fireAndForget, ROOT } from '../targets.ts'
import { onServerCpu } from '../lib/cpu.ts'
import { measureThroughput } from './throughput.ts'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CONDITIONS = [0, 1, 20] as const

const row = (pages: number) => ({
  id: `node20-p8-${pages}`,
  label: pages === 0 ? 'no inspector page open' : `${pages} inspector page${pages > 1 ? 's' : ''} open`,
  group: 'node20' as const,
  role: `pages-${pages}` as SeriesRole,
})

/** Resident memory of a process, from /proc (Linux). */
function rss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)
  return kb ? Number(kb[1]) * 1024 : NaN
}

function notMerged(): string | undefined {
  if (!existsSync(`${ROOT}dist/inspector.js`)) return 'finish-request/inspector is not merged yet'
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed`
  return undefined
}

export async function measureInspector(config: Config, rec: Recorder, log: (m: string) => void, unavailable?: string): Promise<void> {
  const missing = unavailable ?? notMerged()
  if (missing) {
    for (const pages of CONDITIONS) {
      rec.missing('P8', row(pages), missing)
      rec.missing('P8mem', row(pages), missing)
    }
    log(`  not measured: ${missing}`)
    return
  }
  const { chromium } = await import('playwright-core')
  const base = fireAndForget('node20').command()
  const server = await startServer('node20-p8', onServerCpu({ ...base, args: [...base.args.slice(0, -1), `${ROOT}bench/servers/p8-server.ts`] }))
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  try {
    const context = await browser.newContext()
    for (let round = 0; round < config.p8.rounds; round++) {
      for (const pages of rotate(CONDITIONS, round)) {
        log(`  P8 round ${round + 1}/${config.p8.rounds}: ${pages} page(s) open`)
        const open = await Promise.all(
          Array.from({ length: pages }, async () => {
            const page = await context.newPage()
            await page.goto(`${server.url}inspector/`, { waitUntil: 'domcontentloaded' })
            return page
          }),
        )
        try {
          const run = await measureThroughput(`${server.url}p3`, config.p8.seconds)
          rec.record('P8', row(pages), round, run.rps, run.failures)
          if (run.rps * config.p8.seconds < config.p8.flood) rec.fail('P8', row(pages), round, `only ${Math.round(run.rps * config.p8.seconds)} tasks in the slice, fewer than the ${config.p8.flood} of the flood`)
          rec.record('P8mem', row(pages), round, rss(server.process.pid!))
        } catch (error) {
          rec.fail('P8', row(pages), round, (error as Error).message.split('\n')[0]!)
        } finally {
          await Promise.all(open.map((page) => page.close()))
        }
      }
    }
  } finally {
    await browser.close()
    await server.stop()
  }
}
