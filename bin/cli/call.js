'use strict'
// `wechat-openapi call <namespace.method> [json]`: one API call, its camelCase result on stdout.

const { EXIT, parse, usage } = require('./args.js')
const { CONFIG_FLAGS, CONFIG_HELP } = require('./client.js')
const { readFileFlag, FILE_HELP } = require('./file.js')
const { readParams, invoke, CALL_STRINGS, CALL_BOOLEANS } = require('./invoke.js')

const HELP = `Usage: wechat-openapi call <namespace.method> [json|-] [options]

Calls one API with camelCase parameters (JSON text, '-' for stdin, default {}) and prints the camelCase
result as JSON. A failure prints the typed error (errCode, errMsg, category, retryable, rid, ...) as JSON on
stderr and exits 1.

  --timeout <ms>          deadline of the call, retries included (default 15000)
  --out <file>            write a binary answer (an image) to this file
${FILE_HELP}
                          (an upload API's own field when only a path is given: --file ./a.jpg)
  --debug                 log the call on stderr, as WECHAT_OPENAPI_LOG=debug does

${CONFIG_HELP}

Examples:
  wechat-openapi call logistics.getAllDelivery --emulator
  WECHAT_APPID=wx... WECHAT_SECRET=... wechat-openapi call logistics.getPath '{"orderId":"01","openid":"o..."}'
  wechat-openapi call security.imgSecCheck --file media=./photo.jpg`

async function run(argv, io) {
  const { values, positionals } = parse(argv, { strings: [...CONFIG_FLAGS, ...CALL_STRINGS], booleans: CALL_BOOLEANS })
  if (values.help) return io.out(HELP), EXIT.OK
  const [api, paramsText, extra] = positionals
  if (!api) throw usage('name the API: call <namespace.method>')
  if (extra !== undefined) throw usage(`unexpected argument ${JSON.stringify(extra)}`)
  const { catalogue } = require('../../index.js')
  const row = catalogue.get(api)
  if (!row) {
    const near = catalogue.suggest(api) || catalogue.names().find((n) => n.endsWith('.' + api.split('.').pop()))
    throw usage(`unknown API ${JSON.stringify(api)}${near ? ` (did you mean ${near}?)` : ''}; \`list\` shows them all`)
  }
  const params = withFile(row, readParams(paramsText), values)
  // The name at any depth, as a cloud function writes it: openapi.wxa.sec.order.uploadShippingInfo(params).
  return invoke(values, io, (openapi) => api.split('.').reduce((at, segment) => at[segment], openapi)(params))
}

/** The parameters with `--file` in the upload row's file field, as `{ contentType, value, filename }`. */
function withFile(row, params, values) {
  const api = row.name
  const field = row.uploadField
  if (values.file !== undefined && field === undefined) throw usage(`${api} takes no file`)
  const file = readFileFlag(values, field)
  if (!file) return params
  if (file.field !== field) throw usage(`${api} takes its file as ${field}: --file ${field}=${values.file.slice(values.file.indexOf('=') + 1)}`)
  if (params[field] !== undefined) throw usage(`give ${field} either in the JSON or with --file, not both`)
  const { field: _, ...media } = file
  return { ...params, [field]: media }
}

module.exports = { run, HELP }
