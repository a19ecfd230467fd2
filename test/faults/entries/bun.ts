import { serve } from 'after-response/bun'
import { start } from './start.ts'

await start(serve)
