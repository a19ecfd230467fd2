import { serve } from 'after-response/deno'
import { start } from './start.ts'

await start(serve)
