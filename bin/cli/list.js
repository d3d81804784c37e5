'use strict'
// wechat-openapi list [filter]: the APIs of the endpoint table, one a line, with their HTTP path and summary.

const { CliError, EXIT } = require('./args.js')

const HELP = `Usage: wechat-openapi list [filter]

Prints every API the SDK knows (namespace.method, HTTP verb and path, what it does); with a filter, only those
whose name or path contains it (case-insensitive). A path not listed is still callable: openapi.request({ method, path, data }).`

async function run(argv, io) {
  if (argv.includes('--help') || argv.includes('-h')) return io.out(HELP), EXIT.OK
  const flag = argv.find((a) => a.startsWith('-'))
  if (flag) throw new CliError(EXIT.USAGE, `unknown option ${flag}`)
  if (argv.length > 1) throw new CliError(EXIT.USAGE, `unexpected argument ${JSON.stringify(argv[1])}`)
  const filter = (argv[0] || '').toLowerCase()
  const rows = require('../../index.js').catalogue.all().filter((r) => `${r.name} ${r.path}`.toLowerCase().includes(filter))
  if (rows.length === 0) throw new CliError(EXIT.FAILED, `no API matches ${JSON.stringify(argv[0])}`)
  const width = Math.max(...rows.map((r) => r.name.length))
  for (const r of rows) io.out(`${r.name.padEnd(width)}  ${r.http.padEnd(4)} ${r.path}  ${r.summary}`)
  return EXIT.OK
}

module.exports = { run }
