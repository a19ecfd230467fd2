// The README's code as a user meets it: every ```ts block is one they may paste, unless
// the line before its fence says `<!-- not-compiled: why -->` (a fragment, a type listing).

export interface Block {
  /** The file it becomes: the name its first line gives (`// jobs.ts: …`), else one made from its line. */
  file: string
  /** README.md's line number of the block's first line of code. */
  line: number
  code: string
}

const NOT_COMPILED = /^<!-- not-compiled: .+ -->$/

export function codeBlocks(readme: string): { compiled: Block[]; skipped: number } {
  const lines = readme.split('\n')
  const compiled: Block[] = []
  let skipped = 0
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('```')) continue
    const lang = lines[i].slice(3).trim()
    let end = i + 1
    while (end < lines.length && !lines[end].startsWith('```')) end++
    if (lang === 'ts') {
      const code = lines.slice(i + 1, end).join('\n')
      if (NOT_COMPILED.test(lines[i - 1] ?? '')) skipped++
      else compiled.push({ file: code.match(/^\/\/ ([\w.-]+\.ts)\b/)?.[1] ?? `readme-line-${i + 2}.ts`, line: i + 2, code })
    }
    i = end
  }
  return { compiled, skipped }
}

/** The tsconfig.json the README recommends: its one ```json block with compilerOptions. */
export function recommendedTsconfig(readme: string): { compilerOptions: Record<string, unknown> } {
  for (const [, json] of readme.matchAll(/^```json\n([\s\S]*?)^```$/gm)) {
    const parsed = JSON.parse(json)
    if (parsed.compilerOptions) return parsed
  }
  throw new Error('README.md recommends no tsconfig.json (a ```json block with compilerOptions)')
}

/** tsc's `file.ts(3,5): error …` turned into `README.md:<line>: error …`, so a failure points at the README. */
export function toReadmeLines(output: string, blocks: Block[]): string {
  return output.replace(/^([\w.-]+\.ts)\((\d+),(\d+)\)/gm, (whole, file: string, line: string) => {
    const block = blocks.find((b) => b.file === file)
    return block ? `README.md:${block.line + Number(line) - 1} (${file})` : whole
  })
}
