// The framework table on node: see table.ts.
import { describeTable } from './table.ts'

describeTable('node')
