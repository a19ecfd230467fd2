// P3: requests per second with 50 connections. wrk (Debian's `apt install wrk`, a C
// client, one thread) when it is installed: one Node client (autocannon) saturates
// before a server on the other core does, and then measures itself. autocannon (a dev
// dependency) is the fallback, or forced with BENCH_CLIENT=autocannon; RESULTS.md says
// which one ran. The client inherits the bench's CPU (lib/cpu.ts), the server has the other.
import { execFile, execFileSync } from 'node:child_process'
import autocannon from 'autocannon'

export interface ThroughputRun {
  rps: number
  /** Non-2xx responses, errors and timeouts: they make the run invalid. */
  failures: number
}

export const CONNECTIONS = 50

function wrkInstalled(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' })
    return true
  } catch (error) {
    // wrk --version exits 1 after printing its version: present all the same.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT'
  }
}

let tool: 'wrk' | 'autocannon' | undefined
export function throughputTool(): 'wrk' | 'autocannon' {
  if (tool) return tool
  if (process.env.BENCH_CLIENT === 'autocannon') return (tool = 'autocannon')
  const installed = wrkInstalled()
  if (!installed && process.env.BENCH_CLIENT === 'wrk') throw new Error('BENCH_CLIENT=wrk, but wrk is not installed (apt install wrk)')
  return (tool = installed ? 'wrk' : 'autocannon')
}

export async function measureThroughput(url: string, seconds: number): Promise<ThroughputRun> {
  return throughputTool() === 'wrk' ? viaWrk(url, seconds) : viaAutocannon(url, seconds)
}

async function viaAutocannon(url: string, seconds: number): Promise<ThroughputRun> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1, timeout: 10 })
  return { rps: result.requests.total / seconds, failures: result.non2xx + result.errors + result.timeouts }
}

function viaWrk(url: string, seconds: number): Promise<ThroughputRun> {
  return new Promise((resolve, reject) => {
    // One thread: the server gets the other core.
    const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', url]
    execFile('wrk', args, { timeout: (seconds + 30) * 1000 }, (error, stdout) => {
      if (error) return reject(error)
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout)
      if (!rps) return reject(new Error(`unexpected wrk output:\n${stdout}`))
      const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)
      const socketErrors = /Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)/.exec(stdout)
      const errors = socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0
      resolve({ rps: Number(rps[1]), failures: Number(non2xx?.[1] ?? 0) + errors })
    })
  })
}
