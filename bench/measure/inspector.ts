// P8: P3 on a server with the inspector mounted, while 0, 1 or 20 inspector pages are
// open in Chromium (playwright-core, the system's /usr/bin/chromium), each receiving the
// event stream of a flood of tasks: every P3 request registers one (a 3 s slice at
// 5 000 requests/s or more is a flood of well over 10 000). Also the server's resident
// memory after each slice. The browser runs on the client's CPU, like wrk.
import { existsSync, readFileSync } from 'node:fs'
import type { Config } from '../config.ts'
import { startServer } from '../lib/processes.ts'
import { rotate } from '../lib/stats.ts'
import type { Recorder, SeriesRole } from '../results.ts'
import { fireAndForget, ROOT } from '../targets.ts'
import { onServerCpu } from '../lib/cpu.ts'
import { measureThroughput } from './throughput.ts'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

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
  const CONDITIONS = config.p8.pages
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
  type Page = Awaited<ReturnType<Awaited<ReturnType<typeof chromium.launch>>['newPage']>>
  const base = fireAndForget('node20').command()
  const server = await startServer('node20-p8', onServerCpu({ ...base, args: [...base.args.slice(0, -1), `${ROOT}bench/servers/p8-server.ts`] }))
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  try {
    // Twenty pages, each in a context (a profile) of its own: Chromium opens at most 6
    // connections per host and profile, and each open page keeps one for its event
    // stream. Opened once, one after the other (20 at once overwhelm a busy core); a
    // condition points k of them at the inspector and the others at about:blank, which
    // closes their streams.
    const pages: Page[] = []
    for (let i = 0; i < Math.max(...CONDITIONS); i++) pages.push(await (await browser.newContext()).newPage())
    const show = (count: number) =>
      Promise.all(
        pages.map((page, i) =>
          page.goto(i < count ? `${server.url}inspector/` : 'about:blank', { waitUntil: 'domcontentloaded', timeout: 60_000 }),
        ),
      )
    for (let round = 0; round < config.p8.rounds; round++) {
      for (const count of rotate(CONDITIONS, round)) {
        log(`  P8 round ${round + 1}/${config.p8.rounds}: ${count} page(s) open`)
        try {
          await show(count)
          const run = await measureThroughput(`${server.url}p3`, config.p8.seconds)
          rec.record('P8', row(count), round, run.rps, run.failures)
          rec.record('P8mem', row(count), round, rss(server.process.pid!))
        } catch (error) {
          rec.fail('P8', row(count), round, (error as Error).message.split('\n')[0]!)
        }
      }
    }
  } finally {
    await browser.close()
    await server.stop()
  }
}
