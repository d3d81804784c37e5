'use strict'
// emulator.js and emulator.d.ts from the emulator's action list (the Rust crate's, through the built binding):
// one method per control action, with the action's doc, its parameters and what it resolves to.

/** Splits `a: { b; c }, d?: E[]` at the commas outside brackets. */
function splitTop(text) {
  const parts = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if ('{[(<'.includes(c)) depth++
    else if ('}])>'.includes(c)) depth--
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts.map((p) => p.trim()).filter(Boolean)
}

/** `appid?: string` → { name, optional, type }; a `| undefined` type counts as optional too. */
function parseParams(text) {
  return splitTop(text).map((param) => {
    const colon = param.indexOf(':')
    const rawName = param.slice(0, colon).trim()
    const type = param.slice(colon + 1).trim()
    const name = rawName.replace(/\?$/, '')
    const optional = rawName.endsWith('?') || /\|\s*undefined$/.test(type)
    return { name, optional, type, declared: param }
  })
}

/** A lone `args` parameter is the whole argument object. */
const takesObject = (params) => params.length === 1 && params[0].name === 'args'

const jsdoc = (text, indent) => `${indent}/** ${text.replace(/\*\//g, '*\\/')} */\n`

function jsMethod(action) {
  const params = parseParams(action.js.params)
  const names = params.map((p) => p.name).join(', ')
  let call
  if (params.length === 0) call = `this.control('${action.name}')`
  else if (takesObject(params)) call = `this.control('${action.name}', args ?? {})`
  else {
    const spec = params.map((p) => `'${p.name}${p.optional ? '?' : ''}'`).join(', ')
    call = `this.control('${action.name}', argsOf([${spec}], arguments))`
  }
  const body = action.js.pick ? `return (await ${call}).${action.js.pick}` : `return ${call}`
  return `${jsdoc(action.doc, '  ')}  ${action.js.pick ? 'async ' : ''}${action.name}(${names}) {\n    ${body}\n  }\n`
}

function dtsMethod(action) {
  const params = parseParams(action.js.params)
  const returns = `Promise<${action.js.returns}>`
  const signatures = [params.map((p) => p.declared).join(', ')]
  if (params.length > 1 && params[0].optional) signatures.push(params.slice(1).map((p) => p.declared).join(', '))
  if (params.length > 0 && !takesObject(params)) {
    const fields = params.map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.type.replace(/\s*\|\s*undefined$/, '')}`)
    signatures.push(`args: { ${fields.join('; ')} }`)
  }
  const doc = jsdoc(action.doc, '  ')
  return signatures.map((s) => `${doc}  ${action.name}(${s}): ${returns}\n`).join('')
}

const MARKER = '// @actions: one method per control action, written by scripts/gen.js\n'

function splice(template, file, methods) {
  if (!template.includes(MARKER)) throw new Error(`${file} has no line ${JSON.stringify(MARKER.trim())}`)
  return template.replace(MARKER, methods)
}

/** { js, dts } from the templates and the action list. */
function renderEmulator(actions, jsTemplate, dtsTemplate) {
  return {
    js: splice(jsTemplate, 'types/emulator.js.in', actions.map(jsMethod).join('\n')),
    dts: splice(dtsTemplate, 'types/emulator.d.ts.in', actions.map(dtsMethod).join('')),
  }
}

module.exports = { renderEmulator, parseParams }
