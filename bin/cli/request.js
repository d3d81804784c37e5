'use strict'
// `wechat-openapi request <path> [json]`: a WeChat path the endpoint table lacks, as `openapi.request` calls it.

const { EXIT, parse, usage } = require('./args.js')
const { CONFIG_FLAGS, CONFIG_HELP } = require('./client.js')
const { readFileFlag, FILE_HELP } = require('./file.js')
const { readParams, invoke, CALL_STRINGS, CALL_BOOLEANS } = require('./invoke.js')

const HELP = `Usage: wechat-openapi request <path> [json|-] [options]

Calls any WeChat path with this app's token, retries and typed errors (openapi.request): the camelCase JSON
(text, '-' for stdin, default {}) is the body of a POST, the query of a GET or, with --file, the query of
the upload. Prints the camelCase result as JSON; a failure prints the typed error on stderr and exits 1.

  --method <GET|POST>     default POST
${FILE_HELP}
  --idempotent            the call may be repeated after a failure that may have run (default: only GET)
  --timeout <ms>          deadline of the call, retries included (default 15000)
  --out <file>            write a binary answer (an image) to this file
  --debug                 log the call on stderr, as WECHAT_OPENAPI_LOG=debug does

${CONFIG_HELP}

Examples:
  wechat-openapi request /cgi-bin/openapi/quota/get '{"cgiPath":"/cgi-bin/message/custom/send"}'
  wechat-openapi request /cgi-bin/media/uploadimg --file media=./photo.jpg`

async function run(argv, io) {
  const { values, positionals } = parse(argv, { strings: [...CONFIG_FLAGS, ...CALL_STRINGS, 'method'], booleans: [...CALL_BOOLEANS, 'idempotent'] })
  if (values.help) return io.out(HELP), EXIT.OK
  const [path, paramsText, extra] = positionals
  if (!path) throw usage('name the path: request </cgi-bin/...>')
  if (extra !== undefined) throw usage(`unexpected argument ${JSON.stringify(extra)}`)
  const method = (values.method ?? 'POST').toUpperCase()
  if (method !== 'GET' && method !== 'POST') throw usage(`--method must be GET or POST, got ${JSON.stringify(values.method)}`)
  const file = readFileFlag(values, undefined)
  if (file && method !== 'POST') throw usage('a file is sent by POST: drop --method GET')
  const req = { method, path, data: readParams(paramsText) }
  if (file) req.file = file
  if (values.idempotent) req.idempotent = true
  return invoke(values, io, (openapi) => openapi.request(req))
}

module.exports = { run, HELP }
