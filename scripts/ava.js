#!/usr/bin/env node
'use strict'
// Runs ava as `npm test` does and ends with one plain line, `ava: N passed, N failed[, N skipped]`, which CI
// systems read; ava's own summary ("227 tests passed") is not in that form. The exit code is ava's.

const { spawn } = require('node:child_process')

// ava's own command, as npm installs it (its package `exports` hide the file from require.resolve).
const avaBin = require('node:path').join(__dirname, '..', 'node_modules', '.bin', 'ava')

const ava = spawn(process.execPath, [avaBin, ...process.argv.slice(2)], {
  stdio: ['inherit', 'pipe', 'pipe'],
  env: process.env,
})

let output = ''
for (const [from, to] of [[ava.stdout, process.stdout], [ava.stderr, process.stderr]]) {
  from.on('data', (chunk) => {
    output += chunk
    to.write(chunk)
  })
}

function count(pattern) {
  const m = output.match(pattern)
  return m ? Number(m[1]) : 0
}

/** Lines of ava's default reporter that start with `mark` (✔ passed, ✘ failed). */
function lines(mark) {
  return output.split('\n').filter((l) => l.trimStart().startsWith(mark)).length
}

ava.on('close', (code, signal) => {
  // With failures, ava's summary names only those; the ✔ lines still count the passes.
  const passed = Math.max(count(/(\d+) tests? passed/), lines('✔'))
  const failed = Math.max(count(/(\d+) tests? failed/), lines('✘')) + count(/(\d+) uncaught exceptions?/) + count(/(\d+) unhandled rejections?/)
  const skipped = count(/(\d+) tests? skipped/)
  process.stdout.write(`\nava: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`)
  process.exitCode = code === null ? 1 : code
  if (signal) process.exitCode = 1
})
