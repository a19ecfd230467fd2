// srvx on Node at its documented best: Hono's c.json() builds srvx's FastResponse
// (https://srvx.h3.dev/guide/node#fastresponse), set as the global Response exactly as
// srvx's own Node benchmark does (test/bench-node/srvx-fast.mjs). Otherwise the same
// server as node-srvx.ts, loaded once the global is in place.
import { FastResponse } from 'srvx'

globalThis.Response = FastResponse as unknown as typeof Response
await import('./node-srvx.ts')
