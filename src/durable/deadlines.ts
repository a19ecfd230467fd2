/**
 * The `enqueueTimeout` of a queue's sends, without a timer and an AbortController per
 * send: both were a measurable part of what a durable task adds to its response (P7).
 * Every send of a queue has the same timeout, so sends started within `granularity` ms
 * of each other share one controller and one timer: each still gets at least `ms`, and
 * at most `ms + granularity`, before it is given up on. With `granularity` 0 every send
 * has its own (Workers, where a timer belongs to the request that set it).
 */
export class Deadlines {
  private group: Group | undefined

  constructor(
    /** How long a send may take, ms. */
    private readonly ms: number,
    private readonly granularity = 10,
  ) {}

  /**
   * Runs `send`; its promise rejects with a timeout error once the deadline has passed
   * first, and `signal` is aborted then, so `send` knows it must not hand the job over
   * any more.
   */
  within<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const now = performance.now()
    let group = this.group
    if (group === undefined || now >= group.openUntil || this.granularity === 0) group = this.group = this.open(now)
    const { pending, controller } = group
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { reject, settled: false }
      pending.push(entry)
      send(controller.signal).then(
        (value) => ((entry.settled = true), resolve(value)),
        (error: unknown) => ((entry.settled = true), reject(error)),
      )
    })
  }

  private open(now: number): Group {
    const group: Group = { controller: new AbortController(), openUntil: now + this.granularity, pending: [] }
    const timer = setTimeout(() => {
      if (this.group === group) this.group = undefined
      const late = group.pending.filter((entry) => !entry.settled)
      if (late.length === 0) return
      const error = new Error(`no acknowledgement within ${this.ms} ms`)
      group.controller.abort(error)
      for (const entry of late) entry.reject(error)
    }, this.ms + this.granularity)
    // A deadline alone keeps no process alive (a script that enqueued and is done).
    ;(timer as { unref?(): void }).unref?.()
    return group
  }
}

interface Pending {
  reject(error: unknown): void
  settled: boolean
}

interface Group {
  controller: AbortController
  /** Sends started before this (performance.now()) join the group. */
  openUntil: number
  pending: Pending[]
}
