// A throwaway Redis for P7: started on a free port in a temp directory, nothing saved,
// on the servers' CPU (or on every CPU, for the capacity table), and killed with the bench whatever happens.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onAllCpus, onServerCpu } from './cpu.ts'
import { startServer, type Child } from './processes.ts'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface Redis {
  url: string
  stop(): Promise<void>
}

export async function startRedis(cpus: 'server' | 'all' = 'server'): Promise<Redis> {
  const dir = mkdtempSync(join(tmpdir(), 'finish-request-bench-redis-'))
  const port = await freePort()
  // redis-server prints no JSON: a tiny sh wrapper announces once it answers PING.
  const script = `redis-server --port ${port} --bind 127.0.0.1 --save '' --appendonly no --dir '${dir}' --loglevel warning &
for i in $(seq 1 100); do redis-cli -p ${port} ping >/dev/null 2>&1 && break; sleep 0.05; done
echo '{"listening":"redis://127.0.0.1:${port}"}'
wait`
  let child: Child
  try {
    const command = { command: 'sh', args: ['-c', script] }
    child = await startServer('redis', cpus === 'server' ? onServerCpu(command) : onAllCpus(command), 15_000)
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return {
    url: child.url,
    stop: async () => {
      await child.stop(1000)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
