// "After delivery", measured per runtime on the conformance app (test/conformance/app.ts):
// - a 20 MB body: the client's last byte without a task, and with a 400 ms synchronous
//   task (had the task started before the last byte was written, it would add ~400 ms);
// - a plain new Response(stream) of 4 chunks 60 ms apart: when its task started,
//   relative to the client's last byte (negative = before it).
// Median of `rounds` (default 5). Writes bench/DELIVERY.md.
//
//   node --import tsx bench/delivery.ts [rounds]
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { launch, uid } from '../test/conformance/harness.ts'
import { runtimes } from '../test/conformance/runtimes.ts'

const rounds = Number(process.argv[2] ?? 5)
const wall = () => performance.timeOrigin + performance.now()
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const rows: string[] = []
for (const runtime of runtimes.filter((r) => !r.unavailable)) {
  const served = await launch(runtime)
  try {
    const lastByte = async (path: string) => {
      const started = wall()
      const response = await fetch(new URL(path, served.url))
      await response.arrayBuffer()
      return wall() - started
    }
    const bare: number[] = []
    const withTask: number[] = []
    const streamStart: number[] = []
    let delivery = ''
    for (let round = 0; round < rounds; round++) {
      bare.push(await lastByte(`/cpu?ms=0&bytes=20000000&id=${uid('bare')}`))
      const id = uid('large')
      withTask.push(await lastByte(`/cpu?ms=400&bytes=20000000&id=${id}`))
      await served.report(id)
      const streamId = uid('stream')
      const response = await fetch(new URL(`/stream/plain?id=${streamId}`, served.url))
      await response.text()
      const lastByteAt = wall()
      const start = await served.waitFor((e) => e.type === 'start' && e.id === streamId)
      streamStart.push(start.at - lastByteAt)
      delivery = String((await served.report(streamId)).delivery)
    }
    const ms = (value: number) => `${Math.round(value)} ms`
    rows.push(`| ${runtime.name} | ${ms(median(bare))} | ${ms(median(withTask))} | ${ms(median(streamStart))} | \`${delivery}\` |`)
    console.log(rows.at(-1))
  } finally {
    await served.stop()
  }
}

const text = `# Delivery, measured

\`node --import tsx bench/delivery.ts ${rounds}\` on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min). Medians of ${rounds} rounds; client and server on one machine over loopback.

| runtime | 20 MB body, last byte, no task | the same with a 400 ms synchronous task | streamed body: its task started, from the client's last byte | stream's \`report.delivery\` |
|---|---|---|---|---|
${rows.join('\n')}

A task that started before the body was written would add its 400 ms to the second
column, and a stream's task that started early would show a negative third column.
\`node20-srvx\` and \`deno-without-info\` are \`handle(app).fetch\` driven without the
runtime's bindings (srvx on Node; \`Deno.serve\` without \`info\`).
`
writeFileSync(new URL('./DELIVERY.md', import.meta.url), text)
console.log(text)
