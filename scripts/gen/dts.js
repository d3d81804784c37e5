'use strict'
// The generated half of index.d.ts: per endpoint a request and a response interface, per namespace (at any depth:
// `wxa.sec.order`) an interface of methods and sub-namespaces, and OpenApiNamespaces tying them together (the
// hand-written facade builds OpenApi on it).

const { camel, fieldTree } = require('./fields.js')

const PRIMITIVE = /^(string|number|boolean)(\[\])?$/

/** PascalCase for type names: `openPlatform` → `OpenPlatform`. */
function pascal(name) {
  return name[0].toUpperCase() + name.slice(1)
}

function comment(lines, pad) {
  const safe = lines.map((l) => l.replace(/\*\//g, '*\\/'))
  if (safe.length === 1) return [`${pad}/** ${safe[0]} */`]
  return [`${pad}/**`, ...safe.map((l) => (l ? `${pad} * ${l}` : `${pad} *`)), `${pad} */`]
}

// A documented enum is its constants' union; a time field also takes a Date on the way in (the core converts it).
const DATE_FORMATS = new Set(['rfc3339', 'unix-seconds'])

function typeOf(n, side, pad) {
  if (n.enumName) return n.enumName
  if (side === 'request' && DATE_FORMATS.has(n.format)) return `${n.type} | Date`
  return n.type
    .split('|')
    .map((t) => {
      if (PRIMITIVE.test(t)) return t
      if (t === 'object') return objectType(n, side, pad)
      if (t === 'object[]') return `Array<${objectType(n, side, pad)}>`
      if (t === 'file') return 'UploadFile'
      throw new Error(`unknown field type ${t}`)
    })
    .join(' | ')
}

// Both sides are closed: a misspelt request field and a misread answer field fail to compile. Fields WeChat adds
// after the table was written still reach JS at runtime (cast to read them). An object the table does not describe
// is open on both sides.
function fieldDoc(child) {
  if (!child.when) return child.doc
  const when = `Optional: ${child.when}.`
  return child.doc ? `${child.doc}. ${when}` : when
}

function members(n, side, pad) {
  const lines = []
  for (const [key, child] of n.children) {
    const doc = fieldDoc(child)
    if (doc) lines.push(...comment([doc], pad))
    lines.push(`${pad}${camel(key)}${child.required ? '' : '?'}: ${typeOf(child, side, pad)}`)
  }
  return lines
}

/** The member a reconciled row's answer may add (api/endpoints.json `reconcile`). */
function reconciledMember(row, pad) {
  const doc = `Set when the answer was lost and \`${row.reconcile.with}\` found what the call made: its fields, shaped as this answer.`
  return [...comment([doc], pad), `${pad}reconciled?: true`]
}

function objectType(n, side, pad) {
  if (n.children.size === 0) return 'Record<string, unknown>'
  return ['{', ...members(n, side, pad + '  '), `${pad}}`].join('\n')
}

function typeName(row, side) {
  return `${row.name.split('.').map(pascal).join('')}${side === 'request' ? 'Request' : 'Response'}`
}

function sideInterface(row, side) {
  const root = fieldTree(row.name, row[side])
  const name = typeName(row, side)
  if (side === 'request' && root.children.size === 0) {
    // `{}` would accept any object; this takes `{}` or nothing and rejects stray fields.
    const head = comment([`Parameters of \`${row.name}\`: none. ${row.summary}`], '')
    return [...head, `export interface ${name} {`, '  [key: string]: never', '}'].join('\n')
  }
  const head = comment([`${side === 'request' ? 'Parameters' : 'Answer'} of \`${row.name}\`. ${row.summary}`], '')
  if (side === 'request' && row.requestCases) return requestUnion(row, root, name, head)
  const extra = side === 'response' && row.reconcile ? reconciledMember(row, '  ') : []
  return [...head, `export interface ${name} {`, ...extra, ...members(root, side, '  '), '}'].join('\n')
}

// `requestCases`: fields required only for some values of a discriminant (addOrder's `openid` unless
// `add_source` is 2). The fields interface holds every field; each case narrows the discriminant to its value
// and makes its own fields required.
function requestUnion(row, root, name, head) {
  const { discriminant, cases } = row.requestCases
  const field = root.children.get(discriminant)
  if (!field) throw new Error(`${row.name}: requestCases names ${discriminant}, which is not a request field`)
  const fieldsName = `${name}Fields`
  const variants = cases.map((c) => {
    const required = c.required.map((key) => {
      const child = root.children.get(key)
      if (!child) throw new Error(`${row.name}: requestCases requires ${key}, which is not a top-level request field`)
      return `${camel(key)}: ${typeOf(child, 'request', '    ')}`
    })
    return [...comment([c.doc], '  '), `  | { ${[`${camel(discriminant)}: ${JSON.stringify(c.value)}`, ...required].join('; ')} }`].join('\n')
  })
  return [
    ...comment([`Every field of \`${row.name}\`; \`${name}\` adds which are required for each \`${camel(discriminant)}\`.`], ''),
    `export interface ${fieldsName} {`,
    ...members(root, 'request', '  '),
    '}',
    ...head,
    `export type ${name} = ${fieldsName} & (`,
    ...variants,
    ')',
  ].join('\n')
}

function retryText(row) {
  if (row.reconcile) {
    return `not idempotent: after a failure that may have run, looked up with \`${row.reconcile.with}\` ` +
      '(found: answered with `reconciled: true`; absent: sent again)'
  }
  return row.idempotent
    ? 'idempotent: retried automatically after a transient failure'
    : 'not idempotent: not retried after a transient failure unless `retryUnsafe` is set'
}

function methodDoc(row) {
  const lines = [row.summary, '', `\`${row.http} ${row.path}\` (token: ${row.token}); ${retryText(row)}.`]
  lines.push(`Permission set (third-party platforms): ${row.permissionSet || 'none documented'}.`)
  if (row.wxServerSdk) lines.push(`wx-server-sdk has it too: \`cloud.openapi.${row.name}\`.`)
  if (row.answer === 'image') lines.push('Answers an image: `{ contentType, buffer }` (a JSON answer is the error WeChat sent).')
  if (row.notes) lines.push('', `Note: ${row.notes}`)
  const codes = Object.entries(row.errors)
  if (codes.length) lines.push('', 'Error codes (`OpenApiError.errCode`):', ...codes.map(([c, m]) => `- \`${c}\` ${m}`))
  lines.push(`@see ${row.source}`)
  return lines
}

function signature(row) {
  const topRequired = Object.entries(row.request).some(([path, f]) => f.required && !path.includes('.'))
  const params = `params${topRequired ? '' : '?'}: ${typeName(row, 'request')}`
  return `(${params}): Promise<${row.answer === 'image' ? 'BinaryResult' : `${typeName(row, 'response')} & Result`}>`
}

function method(row) {
  const methodName = row.name.split('.').pop()
  return [...comment(methodDoc(row), '  '), `  ${methodName}${signature(row)}`].join('\n')
}

/** The names as a tree: a node per dotted prefix, with its row when the prefix is an API name itself. */
function nameTree(rows) {
  const root = { children: new Map(), row: undefined, count: 0 }
  for (const row of rows) {
    let node = root
    for (const segment of row.name.split('.')) {
      node.count++
      if (!node.children.has(segment)) node.children.set(segment, { children: new Map(), row: undefined, count: 0 })
      node = node.children.get(segment)
    }
    node.row = row
  }
  return root
}

const interfaceName = (segments) => `${segments.map(pascal).join('')}Api`

/** A namespace's interface: its methods, its sub-namespaces (and its own call signature when it is an API too). */
function namespaceInterface(node, segments) {
  const members = []
  if (node.row) members.push([...comment(methodDoc(node.row), '  '), `  ${signature(node.row)}`].join('\n'))
  for (const [segment, child] of node.children) {
    if (child.children.size === 0) members.push(method(child.row))
    else members.push(`  ${segment}: ${interfaceName([...segments, segment])}`)
  }
  const head = `/** \`cloud.openapi.${segments.join('.')}\`: ${node.count} endpoints. */`
  return [head, `export interface ${interfaceName(segments)} {`, members.join('\n\n'), '}'].join('\n')
}

/** Every namespace interface, parents before children, and OpenApiNamespaces; `count` is how many. */
function namespaceInterfaces(rows) {
  const root = nameTree(rows)
  const out = []
  const visit = (node, segments) => {
    out.push(namespaceInterface(node, segments))
    for (const [segment, child] of node.children) if (child.children.size > 0) visit(child, [...segments, segment])
  }
  for (const [segment, child] of root.children) visit(child, [segment])
  const fields = [...root.children.keys()].map((ns) => `  ${ns}: ${interfaceName([ns])}`)
  out.push(['/** Every namespace of the endpoint table, as `cloud.openapi` exposes them. */', 'export interface OpenApiNamespaces {', ...fields, '}'].join('\n'))
  return { text: out.join('\n'), count: out.length }
}

/** The generated text from the rows grouped by namespace; `interfaces` counts what it declares. */
function renderEndpointTypes(byNs) {
  const rows = [...byNs.values()].flat()
  const perEndpoint = rows.flatMap((row) => [sideInterface(row, 'request'), sideInterface(row, 'response')])
  const namespaces = namespaceInterfaces(rows)
  const text = [namespaces.text, ...perEndpoint].join('\n\n') + '\n'
  return { text, interfaces: perEndpoint.length + namespaces.count }
}

module.exports = { renderEndpointTypes }
