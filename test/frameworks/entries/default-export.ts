// `export default handler`: Bun (`bun entry.ts`) and `deno serve` start the server
// themselves, on PORT (Bun) or --port (deno serve), once this module has run.
import type { BunHandler } from 'finish-request/bun'
import { loadApp } from '../apps/index.ts'
import { announceWhenAccepting, closeOnSigterm, options } from './shared.ts'

const { handle } = ('Deno' in globalThis ? await import('finish-request/deno') : await import('finish-request/bun')) as {
  handle: (app: unknown, options: unknown) => BunHandler
}

const { app } = await loadApp(process.env.FRAMEWORK)
const handler = handle(app, options(process.env))
closeOnSigterm(handler)
void announceWhenAccepting(Number(process.env.PORT))

export default handler
