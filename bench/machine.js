'use strict'
// The machine a run was made on, for RESULTS.md: numbers from a loaded 2-core box mean little without it.

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')

function quiet(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unknown'
  }
}

function describe() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : ''
  const model = (cpuinfo.match(/model name\s*:\s*(.+)/) || [])[1] || (os.cpus()[0] || {}).model || 'unknown'
  return {
    date: new Date().toISOString(),
    nproc: quiet('nproc', []),
    cpu: model.trim(),
    memGb: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    rust: quiet('rustc', ['-V']),
    load: () => os.loadavg().map((l) => l.toFixed(2)).join(' '),
  }
}

module.exports = { describe }
