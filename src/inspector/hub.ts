import type { TaskEvent, TaskSource } from '../types.ts'
import { TaskLog } from './task-log.ts'
import { encode, Watcher } from './watcher.ts'
import { frame, wireEvent, type TaskEntry, type WireEvent } from './wire.ts'

export interface HubOptions {
  history: number
  maxWatchers: number
  heartbeat: number
  /** How long events are gathered before one write goes to every watcher. */
  flushInterval: number
  /** Bytes a slow watcher may have waiting before it is sent a snapshot instead. */
  maxQueued: number
}

/**
 * The watchers of one source. It follows every event only while at least one watcher is
 * open; unwatched, it hears only ends (the source builds no event at registration or
 * start then) and keeps the last `history` of them as they came, so a failure nobody
 * watched is on the page when it is opened later. Events are gathered
 * for `flushInterval` ms, serialised once and written to every watcher as one chunk; a
 * burst larger than the history is replaced by a snapshot, so a flood costs each
 * watcher at most one snapshot per flush, and flushes slow down while the flood lasts.
 *
 * During a flood the hub follows ends only, as when unwatched: the source then builds
 * no event at registration or start, which is most of what watching costs a busy
 * server, and no page could show those tasks one by one anyway. Snapshots show the
 * tasks as they end and how many are pending; the first quiet flush follows every
 * event again.
 */
export class Hub {
  readonly log: TaskLog
  private readonly watchers = new Set<Watcher>()
  private unsubscribe: (() => void) | undefined
  /** Framed only at the flush: under a flood most of a batch is dropped for a snapshot. */
  private batch: WireEvent[] = []
  private overflowed = false
  /** Following ends only, for as long as a flood lasts (see the class comment). */
  private flooded = false
  /** Ends heard during the current flush interval of a flood. */
  private floodEnds = 0
  private flushTimer: ReturnType<typeof setTimeout> | undefined
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined
  private interval: number
  /** Unwatched: the latest ends as they came, a ring of `history` slots, put in the log when next looked at. */
  private readonly recent: Array<Extract<TaskEvent, { type: 'ended' }> | undefined>
  private recentNext = 0
  private recentCount = 0
  closed = false

  constructor(
    private readonly source: TaskSource,
    private readonly options: HubOptions,
  ) {
    this.log = new TaskLog(options.history)
    this.interval = options.flushInterval
    this.recent = new Array(options.history)
    // For as long as the source lives (it holds this hub through the listener, and the
    // hub it): ends during a drain belong in the history too.
    source.subscribe((event) => this.remember(event), { endedOnly: true })
  }

  /** The recent tasks, oldest first, those that ended while nobody watched included. */
  tasks(): TaskEntry[] {
    this.catchUp()
    return this.log.tasks()
  }

  /**
   * Unwatched, an end costs a slot in the ring: no serialising, no lookup. (Watched, the
   * full subscription has it already.)
   */
  private remember(event: TaskEvent): void {
    if (event.type === 'closing') return this.close()
    if (event.type !== 'ended') return
    if (this.flooded) return this.endInFlood(event)
    if (this.unsubscribe) return
    this.recent[this.recentNext] = event
    this.recentNext = (this.recentNext + 1) % this.recent.length
    if (this.recentCount < this.recent.length) this.recentCount++
  }

  /** Moves the ends remembered while unwatched into the log, oldest first. */
  private catchUp(): void {
    const size = this.recent.length
    for (let i = this.recentCount; i > 0; i--) {
      const slot = (this.recentNext - i + size) % size
      this.log.apply(wireEvent(this.recent[slot]!, this.source.pending))
      this.recent[slot] = undefined
    }
    this.recentCount = 0
  }

  get size(): number {
    return this.watchers.size
  }

  /** A new watcher, or a string saying why not. */
  open(): Watcher | string {
    if (this.closed) return 'the server is closing'
    if (this.watchers.size >= this.options.maxWatchers) {
      return `too many watchers: ${this.watchers.size} streams are open and maxWatchers is ${this.options.maxWatchers}`
    }
    if (!this.unsubscribe && !this.flooded) {
      this.catchUp()
      this.follow()
      this.heartbeatTimer = setInterval(() => this.beat(), this.options.heartbeat)
    }
    // `retry`: reconnect after 2 s if the connection drops.
    const first = encode(`retry: 2000\n\n${this.snapshotFrame()}`)
    const watcher = new Watcher(first, this.options.maxQueued, () => encode(this.snapshotFrame()), (w) => this.leave(w))
    this.watchers.add(watcher)
    return watcher
  }

  snapshot(): WireEvent {
    return { type: 'snapshot', pending: this.source.pending, history: this.log.limit, tasks: this.tasks(), at: Date.now() }
  }

  private snapshotFrame(): string {
    return frame(this.snapshot())
  }

  /** Every event of the source, for the watchers. */
  private follow(): void {
    this.unsubscribe = this.source.subscribe((event) => this.receive(event))
  }

  private receive(event: TaskEvent): void {
    if (event.type === 'closing') return this.close()
    const wire = wireEvent(event, this.source.pending)
    this.log.apply(wire)
    if (this.batch.length >= this.options.history) {
      // A flood: from here on, ends only (see the class comment), and a snapshot per flush.
      this.overflowed = this.flooded = true
      this.floodEnds = 0
      this.batch = []
      this.unsubscribe?.()
      this.unsubscribe = undefined
    } else {
      this.batch.push(wire)
    }
    this.flushTimer ??= setTimeout(() => this.flush(), this.interval)
  }

  private endInFlood(event: Extract<TaskEvent, { type: 'ended' }>): void {
    this.log.apply(wireEvent(event, this.source.pending))
    this.floodEnds++
    this.flushTimer ??= setTimeout(() => this.flush(), this.interval)
  }

  private flush(): void {
    this.flushTimer = undefined
    const elapsed = this.interval
    // Under a sustained flood, snapshots go out less and less often (up to one a second),
    // so that watching a busy server costs it little; a quiet moment restores the pace.
    this.interval = this.overflowed ? Math.min(this.interval * 2, 1000) : this.options.flushInterval
    const text = this.overflowed ? this.snapshotFrame() : this.batch.map(frame).join('')
    this.batch = []
    this.overflowed = false
    if (this.flooded) this.ebb(elapsed)
    this.broadcast(encode(text))
  }

  /**
   * At a flood's flush: it lasts while its ends alone would have filled a batch (three
   * events a task) in the interval that just elapsed; after that, every event again.
   */
  private ebb(elapsed: number): void {
    const ends = this.floodEnds
    this.floodEnds = 0
    if (ends * 3 * this.options.flushInterval >= this.options.history * elapsed) {
      this.overflowed = true
      this.flushTimer = setTimeout(() => this.flush(), this.interval)
      return
    }
    this.flooded = false
    this.interval = this.options.flushInterval
    if (this.watchers.size > 0) this.follow()
  }

  private beat(): void {
    this.broadcast(encode(': keep-alive\n\n'))
  }

  private broadcast(chunk: Uint8Array): void {
    for (const watcher of this.watchers) watcher.send(chunk)
  }

  private leave(watcher: Watcher): void {
    this.watchers.delete(watcher)
    if (this.watchers.size === 0) this.stopWatching()
  }

  private stopWatching(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.flooded = false
    clearInterval(this.heartbeatTimer)
    clearTimeout(this.flushTimer)
    this.heartbeatTimer = this.flushTimer = undefined
    this.batch = []
    this.overflowed = false
    this.log.forgetUnfinished()
  }

  /** The source is closing: send what is gathered, end every stream, refuse new ones. */
  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.flushTimer) {
      clearTimeout(this.flushTimer)
      this.flush()
    }
    for (const watcher of [...this.watchers]) {
      watcher.send(encode(frame({ type: 'closing', at: Date.now(), pending: this.source.pending })))
      watcher.end()
    }
    this.stopWatching()
  }
}
