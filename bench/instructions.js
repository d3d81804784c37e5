#!/usr/bin/env node
'use strict'
// Instructions per call, a figure that does not move with the machine's noise: callgrind counts every user-space
// instruction of the client process (all its threads), once after SHORT calls and once after LONG; the difference
// divided by LONG − SHORT is one call's cost with start-up and warm-up subtracted. The emulator runs in its own
// process, outside the count.
//   node bench/instructions.js [--short 200] [--long 700]

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { parseArgs } = require('node:util')
const { startEmulatorProcess } = require('./emulator-process.js')

const { values } = parseArgs({ options: { short: { type: 'string', default: '200' }, long: { type: 'string', default: '700' } } })

/** Total instructions callgrind counted for one run of the probe. */
function countInstructions(kind, calls, url) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-ir-')), 'callgrind.out')
  execFileSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, path.join(__dirname, 'ir-probe.js'), kind, String(calls)], {
    env: { ...process.env, WECHAT_API_BASE: url },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const text = fs.readFileSync(out, 'utf8')
  fs.rmSync(path.dirname(out), { recursive: true, force: true })
  const line = text.split('\n').find((l) => l.startsWith('summary:') || l.startsWith('totals:'))
  return Number(line.split(/\s+/)[1])
}

async function main() {
  const short = Number(values.short)
  const long = Number(values.long)
  const emu = await startEmulatorProcess()
  try {
    const rows = []
    for (const kind of ['ours']) {
      const a = countInstructions(kind, short, emu.url)
      const b = countInstructions(kind, long, emu.url)
      rows.push({ kind, perCall: Math.round((b - a) / (long - short)) })
    }
    for (const r of rows) console.log(`${r.kind}: ${r.perCall} instructions per call (getAllAccount, small answer, concurrency 8)`)
  } finally {
    await emu.close()
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
