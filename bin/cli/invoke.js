'use strict'
// What `call` and `request` share: JSON parameters from the command line or stdin, per-call options from
// flags, and the result printed (a binary answer's bytes to --out) or the typed error on stderr.

const fs = require('node:fs')
const { EXIT, usage } = require('./args.js')
const { openClient } = require('./client.js')
const { toJson, errorJson } = require('./output.js')

/** Flags every calling command takes besides the configuration's. */
const CALL_STRINGS = ['timeout', 'out', 'file', 'content-type']
const CALL_BOOLEANS = ['emulator', 'debug']

function readParams(text) {
  const raw = text === '-' ? fs.readFileSync(0, 'utf8') : text ?? '{}'
  try {
    const params = JSON.parse(raw)
    if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new Error('not an object')
    return params
  } catch (e) {
    throw usage(`the parameters must be a JSON object: ${e.message}`)
  }
}

function callOptions(values) {
  const options = {}
  if (values.timeout !== undefined) {
    options.timeout = Number(values.timeout)
    if (!Number.isInteger(options.timeout) || options.timeout <= 0) throw usage('--timeout must be a whole number of milliseconds')
  }
  return options
}

/** Runs `invoke(openapi)` on the configured client and prints what it resolves to; exit 1 on an API error. */
async function invoke(values, io, invokeWith) {
  const options = callOptions(values)
  if (values.debug) process.env.WECHAT_OPENAPI_LOG = 'debug'
  const { client, close } = await openClient(values)
  try {
    const result = await invokeWith(client.openapi(options))
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

module.exports = { readParams, invoke, CALL_STRINGS, CALL_BOOLEANS }
