import type { JobMessage, QueueOptions } from '../src/durable/definition.ts'
import { JobQueue, QUEUE_OPTION_NAMES } from '../src/durable/definition.ts'
import { retryDelay } from '../src/durable/backoff.ts'
import type { JobRunner } from '../src/durable/runner.ts'
import type { TraceCarrier } from '../src/telemetry.ts'
import type { JobInfo, RequestInfo } from '../src/types.ts'
import { checkOptionNames, fail, type OptionNames } from '../src/validate.ts'

export type { JobDefinition, JobHandler, JobOptions, EnqueueOptions, QueueOptions } from '../src/durable/definition.ts'

export interface CloudflareQueueOptions extends QueueOptions {
  /** The name of the producer binding in the worker's `env` (wrangler's `queues.producers[].binding`). */
  binding: string
}

// The few Workers types used, here so the package needs no @cloudflare/workers-types.
interface QueueBinding {
  send(body: unknown, options?: { contentType?: 'json' | 'text' | 'bytes' | 'v8'; delaySeconds?: number }): Promise<void>
}
export interface QueueMessage {
  readonly id: string
  readonly attempts: number
  readonly body: unknown
  ack(): void
  retry(options?: { delaySeconds?: number }): void
}
export interface MessageBatch {
  readonly queue: string
  readonly messages: readonly QueueMessage[]
}

/** What travels in a message: the job and what its attempts need to be reported. */
interface Envelope {
  'finish-request': 1
  binding: string
  job: string
  id: string
  payload: unknown
  request?: RequestInfo
  /** W3C trace context of the enqueuing request, when its worker has telemetry. */
  trace?: TraceCarrier
  attempts: number
  backoff: JobMessage['backoff']
}

/** Queues refuse messages over 128 KiB: leave room for the envelope around the payload. */
const DEFAULT_MAX_PAYLOAD_BYTES = 120 * 1024
/** Queues' longest retry delay: 12 hours. */
const MAX_DELAY_SECONDS = 43_200

/**
 * Durable jobs on Cloudflare Queues. The producer is `env[binding]`, which only exists
 * while the worker runs: `worker(app, { queues: [jobs] })` hands each request's (and
 * each batch's) env over, and its `queue()` handler runs the jobs.
 */
export class CloudflareQueue<Env = Record<string, unknown>> extends JobQueue<{ env: Env }> {
  readonly binding: string
  private env: Env | undefined

  constructor(options: CloudflareQueueOptions) {
    const call = 'queue(options)'
    if (options === null || typeof options !== 'object') fail(call, 'options must be an object', options)
    checkOptionNames(call, options, { ...QUEUE_OPTION_NAMES, binding: true } satisfies OptionNames<CloudflareQueueOptions>)
    const { binding } = options
    if (typeof binding !== 'string' || binding === '') fail(call, 'options.binding must be the name of a Queue binding', binding)
    super(call, binding, { maxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES, ...options })
    this.binding = binding
  }

  /** Called by `worker()` with every request's and batch's env (the same object for an isolate). */
  bind(env: Env): void {
    this.env = env
  }

  protected override extra(): { env: Env } {
    return { env: this.env as Env }
  }

  protected override async send(message: JobMessage, signal: AbortSignal): Promise<string> {
    const producer = (this.env as Record<string, unknown> | undefined)?.[this.binding] as QueueBinding | undefined
    if (producer === undefined || typeof producer.send !== 'function') {
      throw new Error(
        this.env === undefined
          ? `no env yet: list this queue in worker(app, { queues: [...] })`
          : `env.${this.binding} is not a Queue producer binding`,
      )
    }
    // Workers ids are only known to the consumer: give every job one the reports can use.
    const id = message.id ?? crypto.randomUUID()
    const body: Envelope = {
      'finish-request': 1,
      binding: this.binding,
      job: message.name,
      id,
      payload: JSON.parse(message.json),
      request: message.request,
      attempts: message.attempts,
      backoff: message.backoff,
    }
    if (message.trace !== undefined) body.trace = message.trace
    signal.throwIfAborted()
    await producer.send(body, { contentType: 'json' })
    return id
  }

  /**
   * Runs one message's attempt: ack when it succeeded, or when its last attempt failed
   * (the failure is in the reports); otherwise the platform's retry, after the
   * definition's backoff.
   */
  async consume(message: QueueMessage, envelope: Envelope, runner: JobRunner): Promise<void> {
    const info: JobInfo = { id: envelope.id, queue: this.name, attempt: message.attempts, attempts: envelope.attempts }
    const definition = this.definitions.get(envelope.job)
    if (definition === undefined) {
      const error = new Error(`no job named "${envelope.job}" is defined for queue "${this.name}" in this worker`)
      runner.notify(error, { name: envelope.job, status: 'error', error, durationMs: 0, delivery: 'returned', request: envelope.request ?? { method: '', url: '' }, job: info })
      return message.retry()
    }
    const outcome = await runner.attempt(definition, JSON.stringify(envelope.payload), envelope.request, info, { env: this.env as Env }, undefined, envelope.trace)
    if (outcome.status === 'ok' || message.attempts >= envelope.attempts) return message.ack()
    const delay = Math.ceil(retryDelay(envelope.backoff, message.attempts + 1) / 1000)
    message.retry({ delaySeconds: Math.min(delay, MAX_DELAY_SECONDS) })
  }
}

export function isEnvelope(body: unknown): body is Envelope {
  return body !== null && typeof body === 'object' && (body as Envelope)['finish-request'] === 1
}

/** `queue({ binding })`: durable jobs on the Cloudflare Queue bound as `env[binding]`. */
export function queue<Env = Record<string, unknown>>(options: CloudflareQueueOptions): CloudflareQueue<Env> {
  return new CloudflareQueue<Env>(options)
}

/**
 * The `queue()` handler for `worker()`: each message of ours goes to its queue's
 * definition, all of a batch at once. A message that is not ours is retried and
 * reported, never acked unseen.
 */
export function consumer<Env>(
  queues: readonly CloudflareQueue<Env>[],
  runner: () => JobRunner,
): (batch: MessageBatch, env: Env) => Promise<void> {
  const byBinding = new Map(queues.map((q) => [q.binding, q]))
  return async (batch, env) => {
    for (const q of queues) q.bind(env)
    const jobs = runner()
    await Promise.all(
      batch.messages.map((message) => {
        const body = message.body
        const owner = isEnvelope(body) ? byBinding.get(body.binding) : undefined
        if (owner === undefined) {
          const error = new Error(`message ${message.id} on queue "${batch.queue}" is not a finish-request job of this worker`)
          jobs.notify(error, { name: 'unknown', status: 'error', error, durationMs: 0, delivery: 'returned', request: { method: '', url: '' } })
          return message.retry()
        }
        return owner.consume(message, body as Envelope, jobs)
      }),
    )
  }
}
