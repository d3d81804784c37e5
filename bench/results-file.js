'use strict'
// bench/RESULTS.md keeps hand-written notes around the latest run; a run replaces only what is between the markers.

const fs = require('node:fs')

const START = '<!-- bench run: start (written by npm run bench) -->'
const END = '<!-- bench run: end -->'

function writeResults(file, runText) {
  const block = `${START}\n${runText}\n${END}`
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
  const at = old.indexOf(START)
  const until = old.indexOf(END)
  const text = at >= 0 && until > at ? old.slice(0, at) + block + old.slice(until + END.length) : `# Benchmark results\n\n${block}\n${old}`
  fs.writeFileSync(file, text)
}

module.exports = { writeResults }
