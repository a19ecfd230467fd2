import type { TaskEntry, WireEvent } from './wire.ts'

/**
 * The recent tasks, at most `limit` of them: the oldest registered is forgotten first,
 * running or not. Events for a task it never saw registered (it was registered before
 * anyone watched) or already forgot are ignored, except an end: a report says all there
 * is to show.
 */
export class TaskLog {
  private readonly entries = new Map<number, TaskEntry>()
  /**
   * Registration order, as a ring: a Map used as a queue (delete its first key) gets
   * slower with every deletion, as V8 skips the holes left at its head until it rehashes.
   */
  private readonly order: Array<TaskEntry | undefined>
  private oldest = 0

  constructor(readonly limit: number) {
    this.order = new Array(limit)
  }

  get size(): number {
    return this.entries.size
  }

  apply(event: WireEvent): void {
    switch (event.type) {
      case 'registered':
        this.add({
          id: event.id,
          name: event.name,
          method: event.request.method,
          url: event.request.url,
          status: 'waiting',
          registeredAt: event.at,
        })
        return
      case 'started': {
        const entry = this.entries.get(event.id)
        if (entry && entry.status === 'waiting') {
          entry.status = 'running'
          entry.startedAt = event.at
        }
        return
      }
      case 'progress': {
        const entry = this.entries.get(event.id)
        if (entry && entry.endedAt === undefined) {
          entry.done = event.done
          if (event.total === undefined) delete entry.total
          else entry.total = event.total
        }
        return
      }
      case 'ended': {
        const { report } = event
        let entry = this.entries.get(event.id)
        if (!entry) {
          entry = { id: event.id, name: report.name, method: report.request.method, url: report.request.url, status: 'waiting', registeredAt: event.at }
          this.add(entry)
        }
        entry.status = report.status
        entry.endedAt = event.at
        entry.durationMs = report.durationMs
        entry.delivery = report.delivery
        if (report.error) entry.error = report.error
        return
      }
    }
  }

  /** Forgets the tasks that have not ended: once unwatched, their end would never arrive. */
  forgetUnfinished(): void {
    for (const [id, entry] of this.entries) if (entry.endedAt === undefined) this.entries.delete(id)
  }

  /** Oldest first, as registered. */
  tasks(): TaskEntry[] {
    const list: TaskEntry[] = []
    for (let i = 0; i < this.limit; i++) {
      const entry = this.order[(this.oldest + i) % this.limit]
      if (entry && this.entries.get(entry.id) === entry) list.push(entry)
    }
    return list
  }

  /** Takes the oldest slot, forgetting whoever held it. */
  private add(entry: TaskEntry): void {
    const evicted = this.order[this.oldest]
    if (evicted && this.entries.get(evicted.id) === evicted) this.entries.delete(evicted.id)
    this.order[this.oldest] = entry
    this.oldest = (this.oldest + 1) % this.limit
    this.entries.set(entry.id, entry)
  }
}
