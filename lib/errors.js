'use strict'
// The one error class of the SDK. Every failure (WeChat's errcode, bad arguments, network, timeout, config)
// is an OpenApiError with wx-server-sdk's errCode/errMsg/message shape plus what a caller needs to react.

/** wx-server-sdk's SDK-side codes. */
const SDK_CODES = Object.freeze({
  INVALID_RESPONSE: -601001,
  BAD_ARGUMENTS: -601002,
  NETWORK: -601003,
  UNKNOWN_API: -604100,
  NO_PERMISSION: -604101,
  TIMEOUT: -604102,
  SYSTEM: -604103,
})

class OpenApiError extends Error {
  constructor(fields) {
    super(fields.message)
    this.name = 'OpenApiError'
    this.errCode = fields.errCode
    this.errMsg = fields.errMsg
    this.api = fields.api
    this.rid = fields.rid == null ? undefined : fields.rid
    this.category = fields.category
    this.retryable = Boolean(fields.retryable)
    this.attempts = fields.attempts || 0
    this.httpStatus = fields.httpStatus == null ? undefined : fields.httpStatus
    this.meaning = fields.meaning == null ? undefined : fields.meaning
  }
}

function fromNative(e) {
  return new OpenApiError(e)
}

/** An error found in JS before anything reaches the native core (bad config, bad arguments). */
function sdkError(api, code, category, text) {
  const errMsg = `openapi.${api}:fail ${text}`
  const meaning = code === SDK_CODES.BAD_ARGUMENTS ? 'invalid arguments' : code === SDK_CODES.UNKNOWN_API ? 'API not found' : ''
  return new OpenApiError({
    errCode: code,
    errMsg,
    message: `errCode: ${code} ${meaning} | errMsg: ${errMsg}`,
    api,
    category,
    retryable: false,
    meaning: meaning || undefined,
  })
}

function configError(where, text) {
  return sdkError(where, SDK_CODES.BAD_ARGUMENTS, 'invalid-argument', text)
}

module.exports = { OpenApiError, SDK_CODES, fromNative, sdkError, configError }
