// P3: requests per second with 50 connections, by wrk when it is installed (apt install
// wrk: a C client leaves more of the 2 cores to the server) and autocannon otherwise.
import { execFile, execFileSync } from 'node:child_process'
import autocannon from 'autocannon'

export interface ThroughputRun {
  rps: number
  /** Non-2xx responses, errors and timeouts: they make the run invalid. */
  failures: number
}

export const CONNECTIONS = 50

let wrk: boolean | undefined
export function throughputTool(): 'wrk' | 'autocannon' {
  if (process.env.BENCH_CLIENT === 'autocannon') return 'autocannon'
  if (wrk === undefined) {
    try {
      execFileSync('wrk', ['--version'], { stdio: 'ignore' })
      wrk = true
    } catch (error) {
      // wrk --version exits 1 after printing its version: present all the same.
      wrk = (error as NodeJS.ErrnoException).code !== 'ENOENT'
    }
  }
  return wrk ? 'wrk' : 'autocannon'
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
