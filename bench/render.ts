// Renders RESULTS.md and chart.svg again from a run's results.json (every round's value
// is there), e.g. after a change to the report's wording: `node --import tsx bench/render.ts`.
import { readFileSync, writeFileSync } from 'node:fs'
import { renderChart } from './chart.ts'
import { renderMarkdown } from './report.ts'
import type { Results } from './results.ts'

const dir = new URL('.', import.meta.url)
const results = JSON.parse(readFileSync(new URL('results.json', dir), 'utf8')) as Results
writeFileSync(new URL('RESULTS.md', dir), renderMarkdown(results))
writeFileSync(new URL('chart.svg', dir), renderChart(results))
console.log('wrote bench/RESULTS.md and bench/chart.svg from bench/results.json')
