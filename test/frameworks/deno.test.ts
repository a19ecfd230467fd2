// The framework table on deno: see table.ts.
import { describeTable } from './table.ts'

describeTable('deno')
