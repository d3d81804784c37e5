'use strict'
// `cloud.catalogue`: the endpoint table as the core reads it (one reader for the runtime, the proxies, the types'
// checks and the CLI): every row's name, HTTP verb and path, summary, token and upload field.

const native = require('./binding.js')

let rows
let byName

function load() {
  if (!rows) {
    rows = Object.freeze(native.endpoints().map((r) => Object.freeze({ ...r, uploadField: r.uploadField ?? undefined })))
    byName = new Map(rows.map((r) => [r.name, r]))
  }
  return rows
}

const catalogue = Object.freeze({
  /** Every row, in table order: `{ name, http, path, summary, token, uploadField?, wxServerSdk }`. */
  all() {
    return load()
  },
  /** Every API name (`logistics.getAllAccount`, `wxa.sec.order.uploadShippingInfo`), in table order. */
  names() {
    return load().map((r) => r.name)
  },
  /** The row named `name`, or undefined. */
  get(name) {
    load()
    return typeof name === 'string' ? byName.get(name) : undefined
  },
  /** The nearest API name to a misspelt one (the core's rule), or undefined. */
  suggest(name) {
    return native.suggest(String(name), catalogue.names()) ?? undefined
  },
  /** The content type a file name's extension says (`a.jpg` → `image/jpeg`), as an upload sends it; or undefined. */
  contentTypeOf(filename) {
    return native.contentTypeOf(String(filename)) ?? undefined
  },
})

module.exports = { catalogue }
