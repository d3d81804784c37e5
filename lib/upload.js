'use strict'
// File uploads as wx-server-sdk takes them: `media: { contentType, value: Buffer }`. The bytes never go
// through JSON: the upload row's file field gets the process's unforgeable placeholder where its `value` was,
// and the bytes cross to the core as they are (a Buffer, a Uint8Array or any ArrayBuffer view, or an
// ArrayBuffer). Which field is the file comes from the endpoint table, through the binding.

const { catalogue } = require('./catalogue.js')
const { MARK } = require('./json.js')

const PLACEHOLDER = MARK + 'file'

/** The file field of an upload row (`media`, `img`), or undefined for any other API. */
function uploadField(api) {
  const row = catalogue.get(api)
  return row && row.uploadField
}

/** The bytes of a binary value, without copying them; undefined for anything else. */
function bytesOf(value) {
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) return Buffer.from(value)
  return undefined
}

/**
 * For an upload row given a file, `{ params, file }`: params with the placeholder in the file's place (named
 * as the core reads them: `contentType`, or `content_type` without case conversion) and the file's bytes.
 * Undefined when there is no file to take (not an upload row, no file field, a value that is not bytes): the
 * core's checks then say what is wrong, naming the field. wx-server-sdk's `header` is not needed and dropped.
 */
function splitFile(api, params, convertCase) {
  const field = uploadField(api)
  if (field === undefined || params === null || typeof params !== 'object') return undefined
  const media = params[field]
  if (media === null || typeof media !== 'object') return undefined
  const file = bytesOf(media.value)
  if (file === undefined) return undefined
  return { params: { ...params, [field]: description(media, file, convertCase ? 'contentType' : 'content_type') }, file }
}

/**
 * A file as the core reads it: its content type (`contentType`, or `content_type` as given without case
 * conversion) under `typeKey`, the placeholder where its bytes were (a value that is not bytes is kept, for the
 * core to name), its filename when given.
 */
function description(media, bytes, typeKey) {
  const contentType = media.contentType !== undefined ? media.contentType : media.content_type
  const described = { [typeKey]: contentType, value: bytes === undefined ? media.value : PLACEHOLDER }
  if (media.filename !== undefined) described.filename = media.filename
  return described
}

/**
 * `openapi.request`'s `file: { field, contentType, value, filename? }` as the core reads it: `{ described,
 * bytes }`, the description with the placeholder in place of bytes. A value that is not bytes stays in the
 * description (bytes undefined) and anything else unusual is passed on as it is: the core's checks name the
 * part that is wrong (`file.value must be a Buffer or Uint8Array, got string`), before any I/O.
 */
function describeFile(file) {
  if (file === null || typeof file !== 'object') return { described: file, bytes: undefined }
  const bytes = bytesOf(file.value)
  return { described: { field: file.field, ...description(file, bytes, 'content_type') }, bytes }
}

module.exports = { describeFile, splitFile, uploadField }
