'use strict'
// `--file [field=]path`: a file from disk for an upload, sent as the SDK sends a Buffer ({ contentType, value,
// filename }). Its content type comes from --content-type, else from the extension (the core's one list).

const fs = require('node:fs')
const path = require('node:path')
const { usage } = require('./args.js')

const FILE_HELP = `  --file <field>=<path>   attach a file from disk (the form-data field, like media=./a.jpg)
  --content-type <mime>   the file's type (default: from its extension, a.jpg → image/jpeg)`

// What a form-data field name may be (the core checks it again); a path is everything after the first `=`.
const FIELD = /^[A-Za-z0-9_.[\]-]+$/

/**
 * The file `--file` names, or undefined without one. `defaultField`: the field when the flag gives only a path.
 * @returns {{ field: string, contentType: string, value: Buffer, filename: string } | undefined}
 */
function readFileFlag(values, defaultField) {
  if (values.file === undefined) {
    if (values.contentType !== undefined) throw usage('--content-type describes the file --file attaches; give --file too')
    return undefined
  }
  const eq = values.file.indexOf('=')
  const named = eq > 0 && FIELD.test(values.file.slice(0, eq))
  const field = named ? values.file.slice(0, eq) : defaultField
  const file = named ? values.file.slice(eq + 1) : values.file
  if (field === undefined) throw usage('--file needs the form-data field: --file media=./a.jpg')
  if (!file) throw usage(`--file needs a path after ${field}=`)
  const contentType = values.contentType ?? require('../../index.js').catalogue.contentTypeOf(file)
  if (contentType === undefined) throw usage(`cannot tell the content type of ${file} from its extension: give --content-type, like image/png`)
  let value
  try {
    value = fs.readFileSync(file)
  } catch (e) {
    throw usage(`--file ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'a directory, not a file' : e.message}`)
  }
  return { field, contentType, value, filename: path.basename(file) }
}

module.exports = { readFileFlag, FILE_HELP }
