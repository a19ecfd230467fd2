import { serve } from 'finish-request/deno'
import { start } from './start.ts'

await start(serve)
