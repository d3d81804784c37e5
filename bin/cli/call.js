'use strict'
// `wechat-openapi call <namespace.method> [json]`: one API call, its camelCase result on stdout.

const fs = require('node:fs')
const { EXIT, parse, usage } = require('./args.js')
const { openClient, CONFIG_FLAGS, CONFIG_HELP } = require('./client.js')
const { toJson, errorJson } = require('./output.js')

const HELP = `Usage: wechat-openapi call <namespace.method> [json|-] [options]

Calls one API with camelCase parameters (JSON text, '-' for stdin, default {}) and prints the camelCase
result as JSON. A failure prints the typed error (errCode, errMsg, category, retryable, rid, ...) as JSON on
stderr and exits 1.

  --timeout <ms>          deadline of the call, retries included (default 15000)
  --out <file>            write a binary answer (an image) to this file
  --debug                 log the call on stderr, as WECHAT_OPENAPI_LOG=debug does

${CONFIG_HELP}

Examples:
  wechat-openapi call logistics.getAllDelivery --emulator
  WECHAT_APPID=wx... WECHAT_SECRET=... wechat-openapi call logistics.getPath '{"orderId":"01","openid":"o..."}'`

async function readParams(text) {
  const raw = text === '-' ? fs.readFileSync(0, 'utf8') : text ?? '{}'
  try {
    const params = JSON.parse(raw)
    if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new Error('not an object')
    return params
  } catch (e) {
    throw usage(`the parameters must be a JSON object: ${e.message}`)
  }
}

async function run(argv, io) {
  const { values, positionals } = parse(argv, { strings: [...CONFIG_FLAGS, 'timeout', 'out'], booleans: ['emulator', 'debug'] })
  if (values.help) return io.out(HELP), EXIT.OK
  const [api, paramsText, extra] = positionals
  if (!api) throw usage('name the API: call <namespace.method>')
  if (extra !== undefined) throw usage(`unexpected argument ${JSON.stringify(extra)}`)
  const binding = require('../../binding.js')
  const names = binding.endpointNames()
  if (!names.includes(api)) {
    const near = binding.suggest(api, names) || names.find((n) => n.endsWith('.' + api.split('.').pop()))
    throw usage(`unknown API ${JSON.stringify(api)}${near ? ` (did you mean ${near}?)` : ''}; \`list\` shows them all`)
  }
  const params = await readParams(paramsText)
  const options = {}
  if (values.timeout !== undefined) {
    options.timeout = Number(values.timeout)
    if (!Number.isInteger(options.timeout) || options.timeout <= 0) throw usage('--timeout must be a whole number of milliseconds')
  }
  if (values.debug) process.env.WECHAT_OPENAPI_LOG = 'debug'
  const { client, close } = await openClient(values)
  try {
    const [namespace, method] = api.split('.')
    const result = await client.openapi(options)[namespace][method](params)
    if (Buffer.isBuffer(result.buffer)) {
      if (values.out) fs.writeFileSync(values.out, result.buffer)
      const { buffer, ...rest } = result
      io.out(toJson({ ...rest, bytes: buffer.length, ...(values.out ? { out: values.out } : {}) }))
    } else {
      io.out(toJson(result))
    }
    return EXIT.OK
  } catch (e) {
    if (e && e.name === 'OpenApiError') return io.err(errorJson(e)), EXIT.FAILED
    throw e
  } finally {
    await close()
  }
}

module.exports = { run, HELP }
