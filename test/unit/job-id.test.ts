import { describe, expect, it } from 'vitest'
import { fromEngineId, toEngineId } from '../../src/durable/job-id.ts'

// What BullMQ 6.7 refuses as a custom id (Job.validateOptions).
const refusedByBullMQ = (id: string) => `${parseInt(id, 10)}` === id || (id.includes(':') && id.split(':').length !== 3)

describe('job ids for BullMQ', () => {
  const ids = ['export:42', '42', '-7', '0', '007', 'a:b:c', '%', '%3A', ':', '42%', 'plain', 'ünï:cødé', '1e3', '']
  it('maps every id to one BullMQ accepts, and back exactly', () => {
    for (const id of ids) {
      expect(refusedByBullMQ(toEngineId(id)), id).toBe(false)
      expect(fromEngineId(toEngineId(id))).toBe(id)
    }
  })
  it('never maps two ids to one', () => {
    expect(new Set(ids.map(toEngineId)).size).toBe(ids.length)
  })
  it("leaves BullMQ's own (integer) ids as they are", () => {
    expect(fromEngineId('17')).toBe('17')
  })
})
