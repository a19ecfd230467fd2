import type { AppHooks } from '../app.ts'
import { spin } from '../work.ts'

export const workerHooks: AppHooks = {
  // workerd's clock stands still during synchronous code: spin a count calibrated on
  // Node (same V8) and passed in as the SPIN_PER_MS binding.
  busy: (ms, c) => void spin(1, Math.round(Number((c.env as { SPIN_PER_MS: string }).SPIN_PER_MS) * ms)),
}
