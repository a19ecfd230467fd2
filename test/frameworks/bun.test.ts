// The framework table on bun: see table.ts.
import { describeTable } from './table.ts'

describeTable('bun')
