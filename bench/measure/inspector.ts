// P8: P3 on a server with the inspector mounted, while 0, 1 or 20 inspector pages are
// open in Chromium (playwright-core, the system's /usr/bin/chromium), each receiving the
// event stream of a flood of tasks: every P3 request registers one (a 3 s slice at
// thousands of requests/s is a flood of well over 10 000). Also the server's resident
// memory after each slice. The browser runs on the client's CPU, like wrk.
//
// In pairs, like P3: the watched server is loaded at the same time as an identical one
// nobody watches, both on the servers' core, and the pair's ratio is recorded (scaled
// to the unwatched server's median rate of the round). The 0-page pair is the two
// servers' own difference, so pages-k ÷ pages-0 is what the pages cost.
import { existsSync, readFileSync } from 'node:fs'
import type { Config } from '../config.ts'
import { startServer } from '../lib/processes.ts'
import { rotate, scaledToReference } from '../lib/stats.ts'
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
  const p8Server = (name: string) =>
    startServer(name, onServerCpu({ ...base, args: [...base.args.slice(0, -1), `${ROOT}bench/servers/p8-server.ts`] }))
  const server = await p8Server('node20-p8')
  const unwatched = await p8Server('node20-p8-unwatched')
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
      const pairs: Array<{ count: number; rps: number; reference: number; failures: number; rss: number }> = []
      for (const count of rotate(CONDITIONS, round)) {
        log(`  P8 round ${round + 1}/${config.p8.rounds}: ${count} page(s) open`)
        try {
          await show(count)
          const [run, alone] = await Promise.all([
            measureThroughput(`${server.url}p3`, config.p8.seconds),
            measureThroughput(`${unwatched.url}p3`, config.p8.seconds),
          ])
          pairs.push({ count, rps: run.rps, reference: alone.rps, failures: run.failures + alone.failures, rss: rss(server.process.pid!) })
        } catch (error) {
          rec.fail('P8', row(count), round, (error as Error).message.split('\n')[0]!)
        }
      }
      if (pairs.length === 0) continue
      const { scaled } = scaledToReference(pairs)
      pairs.forEach((p, i) => {
        rec.record('P8', row(p.count), round, scaled[i]!, p.failures)
        rec.record('P8mem', row(p.count), round, p.rss)
      })
    }
  } finally {
    await browser.close()
    await server.stop()
    await unwatched.stop()
  }
}
