import { serve } from 'finish-request/bun'
import { start } from './start.ts'

await start(serve)
